// Command consoleshots screenshots livehook's live console in headless Chromium, at a desktop
// width and a phone's, with a refused delivery open: the pictures of docs/. It reads a console
// that is running (scripts/console-screenshots.sh starts one and sends it the built-in contract).
//
//	go run ./scripts/consoleshots -url http://127.0.0.1:18931/ -out docs
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
	flag.Parse()
	if err := shoot(*url, *out, *refused); err != nil {
		fmt.Fprintln(os.Stderr, "consoleshots:", err)
		os.Exit(1)
	}
}

func shoot(url, out, refused string) error {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("no chromium on PATH: apt-get install -y chromium: %w", err)
	}
	dir, err := os.MkdirTemp("", "consoleshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true))
	defer acancel()
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
