package deploy

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// repo is the build context: the root of livehook's repository.
const repo = ".."

// image is what the Dockerfile says the image is made of.
type image struct {
	goVersion string // the golang image's tag, e.g. 1.26
	build     []instructions.Command
	binary    string   // the path in the build stage of the file the final stage copies
	installed string   // where the final stage puts it
	base      string   // the final stage's base
	entry     []string // the final stage's ENTRYPOINT
}

// finalBases are the minimal bases a static binary may run on.
var finalBases = regexp.MustCompile(`^(scratch|gcr\.io/distroless/static(-debian\d+)?(:[\w.-]+)?)$`)

var golangImage = regexp.MustCompile(`^golang:(\d+\.\d+)(\.\d+)?([-\w.]*)$`)

// readDockerfile parses a Dockerfile with BuildKit's own parser and checks its shape: a build
// stage on the golang image, and a final stage on a minimal base that copies one file from it and
// runs it in exec form. It names every problem it finds.
func readDockerfile(src []byte) (*image, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("dockerfile does not parse: %w", err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	if len(stages) != 2 {
		return nil, fmt.Errorf("dockerfile has %d stages, want 2: a build stage and a minimal final stage", len(stages))
	}
	build, final := stages[0], stages[1]
	img := &image{build: build.Commands, base: final.BaseName}
	var errs []error
	m := golangImage.FindStringSubmatch(build.BaseName)
	if m == nil {
		errs = append(errs, fmt.Errorf("the build stage starts FROM %q, want the golang image (golang:1.26)", build.BaseName))
	} else {
		img.goVersion = m[1]
	}
	if !finalBases.MatchString(final.BaseName) {
		errs = append(errs, fmt.Errorf("the final stage starts FROM %q, want a minimal base for a static binary (scratch or gcr.io/distroless/static)", final.BaseName))
	}
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			if c.From != build.Name || build.Name == "" || len(c.SourcePaths) != 1 {
				errs = append(errs, fmt.Errorf("line %d: the final stage should copy one file from the build stage (COPY --from=%s ...)", c.Location()[0].Start.Line, build.Name))
				continue
			}
			img.binary, img.installed = c.SourcePaths[0], c.DestPath
		case *instructions.EntrypointCommand:
			if c.PrependShell {
				errs = append(errs, fmt.Errorf("line %d: ENTRYPOINT in shell form needs a shell, which a minimal base has not: use the exec form [\"/path\"]", c.Location()[0].Start.Line))
			}
			img.entry = c.CmdLine
		case *instructions.UserCommand, *instructions.LabelCommand, *instructions.ExposeCommand:
		default:
			errs = append(errs, fmt.Errorf("line %d: %s in the final stage: a minimal base runs nothing at build time", c.Location()[0].Start.Line, c.Name()))
		}
	}
	if img.binary == "" {
		errs = append(errs, errors.New("the final stage copies nothing from the build stage"))
	} else if len(img.entry) == 0 || img.entry[0] != img.installed {
		errs = append(errs, fmt.Errorf("ENTRYPOINT %q does not run the copied binary %s", img.entry, img.installed))
	}
	return img, errors.Join(errs...)
}

// buildStage runs the build stage's instructions on this machine, as a Docker engine would in the
// golang image: WORKDIR, COPY from the build context (minus .dockerignore), ARG, ENV, and RUN with
// sh -c, in a directory that stands for the stage's root. It returns that directory.
func buildStage(img *image, context, root string) (string, error) {
	ignore, err := dockerignore(context)
	if err != nil {
		return root, err
	}
	// The golang image's environment, not this machine's: cgo on (it has a C compiler), no
	// GOFLAGS, the module cache and proxy of this machine so that nothing is fetched twice.
	env := []string{"CGO_ENABLED=1", "GOFLAGS=", "GOTOOLCHAIN=local"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "CGO_ENABLED" || k == "GOFLAGS" || k == "GOTOOLCHAIN" || k == "GOOS" || k == "GOARCH" || strings.HasPrefix(k, "CGO_") {
			continue
		}
		env = append(env, kv)
	}
	workdir := "/"
	for _, c := range img.build {
		line := c.Location()[0].Start.Line
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			workdir = path.Join(workdir, c.Path)
			if err := os.MkdirAll(filepath.Join(root, workdir), 0o755); err != nil {
				return root, err
			}
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				if a.Value != nil {
					env = append(env, a.Key+"="+*a.Value)
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env = append(env, kv.Key+"="+kv.Value)
			}
		case *instructions.CopyCommand:
			if c.From != "" {
				return root, fmt.Errorf("line %d: the build stage copies from %q: the check only knows the build context", line, c.From)
			}
			dest := c.DestPath
			if !path.IsAbs(dest) {
				dest = path.Join(workdir, dest)
			}
			for _, src := range c.SourcePaths {
				if err := copyContext(context, path.Clean(src), filepath.Join(root, dest), ignore); err != nil {
					return root, fmt.Errorf("line %d: COPY %s: %w", line, src, err)
				}
			}
		case *instructions.RunCommand:
			if !c.PrependShell || len(c.CmdLine) != 1 {
				return root, fmt.Errorf("line %d: RUN in exec form: the check runs the shell form only", line)
			}
			cmd := exec.Command("sh", "-c", c.CmdLine[0])
			cmd.Dir, cmd.Env = filepath.Join(root, workdir), env
			if out, err := cmd.CombinedOutput(); err != nil {
				return root, fmt.Errorf("line %d: RUN %s: %w\n%s", line, c.CmdLine[0], err, out)
			}
		default:
			return root, fmt.Errorf("line %d: %s: the check does not know what it does in the build stage", line, c.Name())
		}
	}
	return root, nil
}

func dockerignore(context string) (*patternmatcher.PatternMatcher, error) {
	var patterns []string
	if f, err := os.Open(filepath.Join(context, ".dockerignore")); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf(".dockerignore: %w", err)
		}
	}
	return patternmatcher.New(patterns)
}

// copyContext copies src of the build context to dest as COPY does: a file into dest (a
// directory when dest ends in / or is one), a directory's contents into dest.
func copyContext(context, src, dest string, ignore *patternmatcher.PatternMatcher) error {
	from := filepath.Join(context, filepath.FromSlash(src))
	fi, err := os.Stat(from)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		if st, err := os.Stat(dest); err == nil && st.IsDir() || strings.HasSuffix(dest, "/") {
			dest = filepath.Join(dest, filepath.Base(from))
		}
		return copyFile(from, dest, fi.Mode())
	}
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(context, p)
		if err != nil {
			return err
		}
		if rel != "." {
			if skip, err := ignore.MatchesOrParentMatches(filepath.ToSlash(rel)); err != nil {
				return err
			} else if skip {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		inner, _ := filepath.Rel(from, p)
		target := filepath.Join(dest, inner)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			return copyFile(p, target, info.Mode())
		default:
			return nil // sockets, links: nothing the build reads
		}
	})
}

func copyFile(from, to string, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// staticELF says why the file at path is not a static executable, if it is not one: a dynamic
// one names a loader (PT_INTERP) and libraries, which a distroless static or scratch base has not.
func staticELF(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not an ELF executable: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (it needs a program loader): build with CGO_ENABLED=0", path)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s needs the shared libraries %s: build with CGO_ENABLED=0", path, strings.Join(libs, ", "))
	}
	return nil
}

// goDirective is the go line of a go.mod.
func goDirective(gomod []byte) (string, error) {
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindSubmatch(gomod)
	if m == nil {
		return "", errors.New("go.mod has no go line")
	}
	return string(m[1]) + "." + string(m[2]), nil
}

// olderGo says whether Go release a (1.25) is older than b (1.26).
func olderGo(a, b string) bool {
	am, an, _ := strings.Cut(a, ".")
	bm, bn, _ := strings.Cut(b, ".")
	ai, _ := strconv.Atoi(am)
	bi, _ := strconv.Atoi(bm)
	aj, _ := strconv.Atoi(an)
	bj, _ := strconv.Atoi(bn)
	return ai < bi || ai == bi && aj < bj
}

// scratch holds what the tests build; TestMain removes it.
var scratch string

func TestMain(m *testing.M) {
	var err error
	if scratch, err = os.MkdirTemp("", "livehook-deploy-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	os.Exit(code)
}

var (
	builtOnce sync.Once
	built     string
	builtErr  error
)

// imageBinary builds the image's binary once, as the Dockerfile says, and returns its path.
func imageBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		src, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
		if err != nil {
			builtErr = err
			return
		}
		img, err := readDockerfile(src)
		if err != nil {
			builtErr = err
			return
		}
		root, err := buildStage(img, repo, filepath.Join(scratch, "image"))
		if err != nil {
			builtErr = err
			return
		}
		built = filepath.Join(root, filepath.FromSlash(img.binary))
	})
	if builtErr != nil {
		t.Fatalf("building as the Dockerfile says: %v", builtErr)
	}
	return built
}

func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := readDockerfile(src)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	need, err := goDirective(gomod)
	if err != nil {
		t.Fatal(err)
	}
	if olderGo(img.goVersion, need) {
		t.Errorf("the build stage's golang:%s is older than go.mod's go %s", img.goVersion, need)
	}
	bin := imageBinary(t)
	if err := staticELF(bin); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "livehook ") {
		t.Fatalf("%s version: %v, %q", bin, err, out)
	}
	t.Logf("%s: static, %s", img.installed, strings.TrimSpace(string(out)))
}

func TestStaticELFRefusesADynamicExecutable(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to compare with")
	}
	sh, _ = filepath.EvalSymlinks(sh)
	if err := staticELF(sh); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("staticELF(%s) = %v, want it refused as dynamically linked", sh, err)
	}
	if err := staticELF(filepath.Join(repo, "go.mod")); err == nil {
		t.Fatal("staticELF(go.mod) passed")
	}
}

func TestReadDockerfileRefusesWhatDoesNotRunOnAMinimalBase(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	refusesEach(t, good, []mutation{
		{"a full base", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM debian:12", `want a minimal base`},
		{"a shell entrypoint", `ENTRYPOINT ["/usr/local/bin/livehook"]`, `ENTRYPOINT /usr/local/bin/livehook`, `needs a shell`},
		{"another entrypoint", `ENTRYPOINT ["/usr/local/bin/livehook"]`, `ENTRYPOINT ["/livehook"]`, `does not run the copied binary`},
		{"a RUN in the final stage", `ENTRYPOINT [`, "RUN true\nENTRYPOINT [", `RUN in the final stage`},
		{"a single stage", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /src/bin/livehook /usr/local/bin/livehook\n", "", `1 stages, want 2`},
		{"another toolchain", "FROM golang:1.26 AS build", "FROM alpine:3 AS build", `want the golang image`},
	}, func(b []byte) error { _, err := readDockerfile(b); return err })
	// Correct in an unusual way: scratch, an extra label, a patch release of Go.
	odd := strings.NewReplacer("FROM gcr.io/distroless/static-debian12:nonroot", "FROM scratch\nLABEL org.opencontainers.image.title=livehook",
		"FROM golang:1.26 AS build", "FROM golang:1.26.8-bookworm AS build").Replace(string(good))
	img, err := readDockerfile([]byte(odd))
	if err != nil {
		t.Fatal(err)
	}
	if img.goVersion != "1.26" || img.base != "scratch" {
		t.Fatalf("read %+v", img)
	}
}

func TestOlderGo(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"1.25", "1.26", true}, {"1.26", "1.26", false}, {"1.9", "1.26", true}, {"1.27", "1.26", false}, {"2.0", "1.26", false}} {
		if got := olderGo(tc.a, tc.b); got != tc.want {
			t.Errorf("olderGo(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}
