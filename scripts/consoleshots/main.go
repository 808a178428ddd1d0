// Command consoleshots screenshots livehook's live console in headless Chromium, at a desktop
// width and a phone's: receive's with a refused delivery open, or (-serve) serve's with the
// most viewed room open and a call made with the form: the pictures of docs/. It reads a
// console that is running (scripts/console-screenshots.sh starts both and feeds them).
//
//	go run ./scripts/consoleshots -url http://127.0.0.1:18931/ -out docs
//	go run ./scripts/consoleshots -serve -url http://127.0.0.1:18932/ -out docs
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:18931/", "the console's `URL`")
	out := flag.String("out", "docs", "`directory` to write console-1280.png and console-390.png to")
	refused := flag.String("refused", "refused 403", "`text` of the verdict of the delivery to open")
	serve := flag.Bool("serve", false, "the console of livehook serve: open the most viewed room, call modify_admin for it with the form, and write console-serve-1280.png and console-serve-390.png")
	check := flag.Bool("check", false, "take no screenshot: load the page once and print how many rows it shows, its notice, and how long it took to load, filter and open a delivery")
	flag.Parse()
	if *check {
		if err := checkPage(*url); err != nil {
			fmt.Fprintln(os.Stderr, "consoleshots:", err)
			os.Exit(1)
		}
		return
	}
	if *serve {
		if err := shootServe(*url, *out); err != nil {
			fmt.Fprintln(os.Stderr, "consoleshots:", err)
			os.Exit(1)
		}
		return
	}
	if err := shoot(*url, *out, *refused); err != nil {
		fmt.Fprintln(os.Stderr, "consoleshots:", err)
		os.Exit(1)
	}
}

func allocator() (context.Context, func(), error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return nil, nil, fmt.Errorf("no chromium on PATH: apt-get install -y chromium: %w", err)
	}
	dir, err := os.MkdirTemp("", "consoleshots-")
	if err != nil {
		return nil, nil, err
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true))
	return actx, func() { acancel(); os.RemoveAll(dir) }, nil
}

// checkPage loads the console once and says what it shows and how long each step took.
func checkPage(url string) error {
	actx, done, err := allocator()
	if err != nil {
		return err
	}
	defer done()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		return err
	}
	tctx, tcancel := context.WithTimeout(ctx, time.Minute)
	defer tcancel()
	start := time.Now()
	if err := chromedp.Do(tctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#tbody tr`))); err != nil {
		return err
	}
	loaded := time.Since(start)
	rows, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#tbody tr").length`))
	if err != nil {
		return err
	}
	notice, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(`#notice`)))
	if err != nil {
		return err
	}
	filter, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`(() => { const t = performance.now(); const e = document.getElementById("f-text"); e.value = "createroom"; e.dispatchEvent(new Event("input")); return performance.now() - t })()`))
	if err != nil {
		return err
	}
	open, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`(() => { const t = performance.now(); document.querySelector("#tbody tr").click(); return performance.now() - t })()`))
	if err != nil {
		return err
	}
	heap, _ := chromedp.Run(tctx, chromedp.Evaluate[float64](`performance.memory ? performance.memory.usedJSHeapSize / 1048576 : -1`))
	fmt.Printf("page: %d rows, loaded and live in %v; %q\n", rows, loaded.Round(time.Millisecond), notice)
	fmt.Printf("page: a text filter over the rows took %.1f ms, opening a delivery %.1f ms; JS heap %.1f MiB\n", filter, open, heap)
	return nil
}

func shoot(url, out, refused string) error {
	actx, done, err := allocator()
	if err != nil {
		return err
	}
	defer done()
	path := "chromium"
	for _, size := range []struct{ w, h int64 }{{1280, 860}, {390, 844}} {
		ctx, cancel := chromedp.NewContext(actx)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			return fmt.Errorf("starting %s: %w", path, err)
		}
		tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
		png, err := func() ([]byte, error) {
			// Open the newest delivery whose verdict says refused, as a reader looking for
			// why would.
			open := fmt.Sprintf(`(() => { const r = [...document.querySelectorAll("#tbody tr")].find(r => r.querySelector(".c-verdict").textContent.startsWith(%q)); if (r) { r.click(); return true } return false })()`, refused)
			if err := chromedp.Do(tctx,
				chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate(url),
				chromedp.WaitVisible(chromedp.CSS(`#tbody tr`))); err != nil {
				return nil, err
			}
			ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](open))
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("no delivery whose verdict starts with %q", refused)
			}
			if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`#detail .verdict`))); err != nil {
				return nil, err
			}
			if size.w < 600 { // on a phone the detail is below the list: show it
				if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("detail").scrollIntoView({block: "start"})`)); err != nil {
					return nil, err
				}
			}
			return chromedp.Run(tctx, chromedp.CaptureScreenshot())
		}()
		tcancel()
		cancel()
		if err != nil {
			return fmt.Errorf("at %d px: %w", size.w, err)
		}
		name := filepath.Join(out, fmt.Sprintf("console-%d.png", size.w))
		if err := os.WriteFile(name, png, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", name)
	}
	return nil
}

// shootServe screenshots the serve console with its most viewed room open and a modify_admin
// call made for it from the form: at 1280 px the page as it opens, at 390 px the room below
// the lists.
func shootServe(url, out string) error {
	actx, done, err := allocator()
	if err != nil {
		return err
	}
	defer done()
	for _, size := range []struct{ w, h int64 }{{1280, 960}, {390, 844}} {
		ctx, cancel := chromedp.NewContext(actx)
		tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
		png, err := func() ([]byte, error) {
			if err := chromedp.Do(tctx,
				chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate(url),
				chromedp.WaitVisible(chromedp.CSS(`#rooms-body tr.room`)),
				chromedp.WaitVisible(chromedp.CSS(`#tbody tr`)),
				chromedp.Click(chromedp.CSS(`#rooms-body tr.room`)),
				chromedp.WaitVisible(chromedp.CSS(`#detail .room-stats`)),
				chromedp.Click(chromedp.CSS(`#detail .act-modify_admin`)),
				chromedp.Click(chromedp.ID("call-go")),
				chromedp.WaitVisible(chromedp.CSS(`#call-result .call-verdict`))); err != nil {
				return nil, err
			}
			// Let the webhook of the call show at the top of the list.
			if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`document.querySelector("#tbody tr .c-command").textContent === "ModifyAdmin" || null`)); err != nil {
				return nil, err
			}
			if size.w < 600 {
				if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("detail").scrollIntoView({block: "start"})`)); err != nil {
					return nil, err
				}
			} else if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(); window.scrollTo(0, 0)`)); err != nil {
				return nil, err
			}
			return chromedp.Run(tctx, chromedp.CaptureScreenshot())
		}()
		tcancel()
		cancel()
		if err != nil {
			return fmt.Errorf("serve at %d px: %w", size.w, err)
		}
		name := filepath.Join(out, fmt.Sprintf("console-serve-%d.png", size.w))
		if err := os.WriteFile(name, png, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", name)
	}
	return nil
}
