package render

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// The HTML report is checked in a real browser: Debian's chromium
// (installed by `make test` through scripts/install-apt-deps.sh), run
// headless on a file: URL with every network feature off. Under CI=true a
// missing chromium fails the test instead of skipping it.

func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("AWSMFA_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (Debian package chromium; `make test` installs it with scripts/install-apt-deps.sh)")
	}
	t.Skip("chromium is not installed (Debian package chromium); run scripts/install-apt-deps.sh as root")
	return ""
}

// runChromium runs headless Chromium with a fresh profile on the page
// and returns its standard output.
func runChromium(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	bin := chromium(t)
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--force-color-profile=srgb",
		"--hide-scrollbars", "--user-data-dir=" + filepath.Join(home, "profile")}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func writePage(t *testing.T, rep *audit.Report, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, rep, opts); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return page
}

// TestHTMLScreenshot renders the sample report at a laptop's 1366 pixels
// and checks the picture: a PNG of that size, not blank, with the
// verdict colours of the matrix on the first screen, the last column
// (with MFA) included, so the table fits the width.
func TestHTMLScreenshot(t *testing.T) {
	page := writePage(t, sampleReport(), Options{ToolVersion: "test"})
	shot := filepath.Join(filepath.Dir(page), "shot.png")
	runChromium(t, page, "--screenshot="+shot, "--window-size=1366,900")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1366 || b.Dy() != 900 {
		t.Fatalf("screenshot is %dx%d, want 1366x900", b.Dx(), b.Dy())
	}
	stats := colourStats(img, map[string][3]uint8{
		"acts-without-mfa": {0xc6, 0x28, 0x28},
		"mfa-required":     {0x2e, 0x7d, 0x32},
		"allowed":          {0xc8, 0xe6, 0xc9},
		"error badge":      {0xb7, 0x1c, 0x1c},
	})
	if stats.nonWhite < stats.total/50 {
		t.Errorf("screenshot is nearly blank: %d of %d pixels are not white", stats.nonWhite, stats.total)
	}
	if stats.distinct < 20 {
		t.Errorf("screenshot has %d distinct colours: no text rendered?", stats.distinct)
	}
	for name, n := range stats.matches {
		// A cell is about 200x28 pixels; its text covers part of it.
		if n < 1500 && name != "error badge" || n < 100 {
			t.Errorf("%s colour covers %d pixels of the first screen", name, n)
		}
	}
}

type colours struct {
	total, nonWhite, distinct int
	matches                   map[string]int
}

func colourStats(img image.Image, want map[string][3]uint8) colours {
	b := img.Bounds()
	c := colours{total: b.Dx() * b.Dy(), matches: map[string]int{}}
	seen := map[[3]uint8]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			px := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			seen[px] = true
			if px != [3]uint8{255, 255, 255} {
				c.nonWhite++
			}
			for name, w := range want {
				if near(px, w) {
					c.matches[name]++
				}
			}
		}
	}
	for name := range want {
		c.matches[name] += 0
	}
	c.distinct = len(seen)
	return c
}

func near(a, b [3]uint8) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a[0], b[0]) <= 6 && d(a[1], b[1]) <= 6 && d(a[2], b[2]) <= 6
}

// TestHTMLDOM loads the page and checks the DOM Chromium built from it:
// the matrix with one row per group (or per user with --all), coloured
// cells, every finding with its deciding statement.
func TestHTMLDOM(t *testing.T) {
	rep := sampleReport()
	for _, tt := range []struct {
		name string
		all  bool
		rows int
	}{{"grouped", false, 4}, {"all", true, 16}} {
		t.Run(tt.name, func(t *testing.T) {
			dom := string(runChromium(t, writePage(t, rep, Options{All: tt.all}), "--dump-dom"))
			if !strings.Contains(dom, `<table class="matrix">`) {
				t.Fatalf("no matrix table in the DOM:\n%s", tail(dom, 3000))
			}
			if n := strings.Count(dom, `<tr class="row`); n != tt.rows {
				t.Errorf("%d matrix rows, want %d", n, tt.rows)
			}
			if n := strings.Count(dom, `<th scope="col"`); n != 2+len(rep.Credentials) {
				t.Errorf("%d column headers", n)
			}
			if n := strings.Count(dom, `<td class="cell v-acts"`); n != 3 {
				t.Errorf("%d acts-without-mfa cells, want 3 (alice's keys and session, eve's console)", n)
			}
			if !tt.all && !strings.Contains(dom, `data-users="13"`) {
				t.Error("the group of 13 identical users is missing")
			}
			if n := strings.Count(dom, `<article class="finding`); n != len(rep.Findings) {
				t.Errorf("%d findings in the DOM, want %d", n, len(rep.Findings))
			}
			// Each finding's deciding statement, in its own element.
			deciding := regexp.MustCompile(`<dd class="deciding"><code>([^<]*)</code>, statement <code>([^<]*)</code>`).FindAllStringSubmatch(dom, -1)
			if len(deciding) != 4 {
				t.Fatalf("%d deciding statements, want 4: %q", len(deciding), deciding)
			}
			if deciding[1][1] != requireMFA || deciding[1][2] != "BlockMostAccessUnlessSignedInWithMFA" {
				t.Errorf("keys-act-without-mfa decided by %q", deciding[1][1:])
			}
			for _, want := range []string{`id="finding-1"`, `data-rule="keys-act-without-mfa"`, "and 201 more", "testdata/auth.json:57"} {
				if !strings.Contains(dom, want) {
					t.Errorf("DOM lacks %q", want)
				}
			}
		})
	}
}

// TestHTMLDOMHostile: in a real browser, markup from the account is text:
// the DOM has no script or img element and no injected attribute.
func TestHTMLDOMHostile(t *testing.T) {
	dom := string(runChromium(t, writePage(t, hostileReport(), Options{}), "--dump-dom"))
	if !strings.Contains(dom, `<table class="matrix">`) {
		t.Fatalf("page did not render:\n%s", tail(dom, 3000))
	}
	for _, bad := range []string{"<script", "<img"} {
		if i := strings.Index(dom, bad); i >= 0 {
			t.Errorf("DOM contains %q: ...%s...", bad, dom[max(0, i-80):min(len(dom), i+80)])
		}
	}
	// No event-handler attribute in any tag (attribute values, where the
	// serializer escapes quotes, < and >, set aside).
	handler := regexp.MustCompile(`\son[a-z]+\s*=`)
	quoted := regexp.MustCompile(`"[^"]*"`)
	for _, tag := range regexp.MustCompile(`<[a-zA-Z][^>]*>`).FindAllString(dom, -1) {
		if handler.MatchString(quoted.ReplaceAllString(tag, `""`)) {
			t.Errorf("injected attribute in %s", tag)
		}
	}
	if !strings.Contains(dom, "&lt;script&gt;alert(\"x\")&lt;/script&gt;") {
		t.Error("the hostile user name is not shown as text")
	}
}
