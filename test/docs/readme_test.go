// Package docs runs the examples of README.md and compares their output with
// what the README shows.
//
// Every ```console block is run, in order, in one bash session (so a lab
// started in the background, a sourced env.sh or an exported variable stays
// for the blocks after it). Lines starting with "$ " are commands (a
// trailing backslash continues them); the lines up to the next command are
// its expected output, stdout and stderr together. An HTML comment
// "<!-- readme-test: COMMANDS -->" right before a block holds setup that the
// README describes in prose; it runs before the block, unchecked.
//
// The comparison is of the output's shape: the paths /tmp/... map to a
// private temporary directory, and values that differ from run to run
// (times, durations, key and request IDs, hashes, numbers) are compared as
// kinds, not values. Whitespace runs count as one space. In the README, a
// line "..." stands for any number of lines, and "..." inside a line for any
// text.
package docs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

// example is one command of a console block and the output shown for it.
type example struct {
	line    int // README line of the command
	command string
	want    []string
}

// block is a console block and the setup before it.
type block struct {
	line     int
	setup    string
	examples []example
}

// parseReadme returns the console blocks of the README text.
func parseReadme(text string) ([]block, error) {
	var blocks []block
	lines := strings.Split(text, "\n")
	setup := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "<!-- readme-test:"):
			var sb strings.Builder
			rest := strings.TrimPrefix(l, "<!-- readme-test:")
			for !strings.Contains(rest, "-->") {
				sb.WriteString(rest + "\n")
				i++
				if i >= len(lines) {
					return nil, fmt.Errorf("README.md:%d: readme-test comment not closed", i)
				}
				rest = lines[i]
			}
			sb.WriteString(strings.SplitN(rest, "-->", 2)[0])
			setup = sb.String()
		case l == "```console":
			b := block{line: i + 1, setup: setup}
			setup = ""
			i++
			for ; i < len(lines) && lines[i] != "```"; i++ {
				l := lines[i]
				if strings.HasPrefix(l, "$ ") {
					ex := example{line: i + 1, command: strings.TrimPrefix(l, "$ ")}
					for strings.HasSuffix(ex.command, "\\") && i+1 < len(lines) {
						i++
						ex.command += "\n" + lines[i]
					}
					b.examples = append(b.examples, ex)
					continue
				}
				if len(b.examples) == 0 {
					return nil, fmt.Errorf("README.md:%d: output before the first command of the block", i+1)
				}
				cur := &b.examples[len(b.examples)-1]
				cur.want = append(cur.want, l)
			}
			if i >= len(lines) {
				return nil, fmt.Errorf("README.md:%d: console block not closed", b.line)
			}
			blocks = append(blocks, b)
		case strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "<!--"):
			setup = ""
		}
	}
	return blocks, nil
}

// marker separates the outputs of the commands in the session's output.
const marker = "@@readme-example@@"

// script builds the bash session: setup, then each command preceded by a
// marker, with $? carried across the markers.
func script(blocks []block, tmp string) string {
	var sb strings.Builder
	sb.WriteString("exec 2>&1\n__s=0\n")
	bg := 0
	for _, b := range blocks {
		if b.setup != "" {
			sb.WriteString(mapTmp(b.setup, tmp) + "\n")
		}
		for _, ex := range b.examples {
			fmt.Fprintf(&sb, "printf '\\n%s %d\\n'\n(exit $__s)\n", marker, ex.line)
			cmd := mapTmp(ex.command, tmp)
			if c, ok := strings.CutSuffix(strings.TrimSpace(cmd), "&"); ok {
				// A background server: its first lines are its output here.
				bg++
				log := fmt.Sprintf("%s/.readme-bg-%d.log", tmp, bg)
				fmt.Fprintf(&sb, "%s > %s 2>&1 &\nwaitlines %s\n", c, log, log)
			} else {
				sb.WriteString(cmd + "\n")
			}
			sb.WriteString("__s=$?\n")
		}
	}
	return sb.String()
}

// prelude defines waitlines: wait until a background command's log stops
// growing (at most 10 s), then print it.
const prelude = `waitlines() {
  local n=0 last=-1 size
  while [ $n -lt 100 ]; do
    size=$(wc -c 2>/dev/null < "$1" || echo 0)  # 2> first: the log may not exist yet
    if [ "$size" -gt 0 ] && [ "$size" -eq "$last" ]; then break; fi
    last=$size; n=$((n+1)); sleep 0.1
  done
  cat "$1"
}
`

// mapTmp moves the README's /tmp/ paths into the test's directory.
func mapTmp(s, tmp string) string { return strings.ReplaceAll(s, "/tmp/", tmp+"/") }

var volatile = []struct {
	re   *regexp.Regexp
	kind string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d| UTC)?`), "<time>"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<uuid>"},
	{regexp.MustCompile(`\b(AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[A-Z0-9]{12,}\b`), "<id>"},
	{regexp.MustCompile(`\b[0-9a-f]{12,}\b`), "<hex>"},
	{regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ms|µs|s)\b|\b(\d+h)?\d+m\b|\b\d+h\b`), "<dur>"},
	{regexp.MustCompile(`\d+`), "<n>"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

// normalize reduces a line to its shape.
func normalize(s string) string {
	s = strings.TrimRight(s, " \t\r")
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.kind)
	}
	return s
}

// lineMatcher turns an expected line into a pattern: "..." matches any text.
func lineMatcher(want string) *regexp.Regexp {
	parts := strings.Split(normalize(want), "...")
	for i, p := range parts {
		if i < len(parts)-1 {
			p = strings.TrimSuffix(p, " ") // "text ..." also matches "text"
		}
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// matchLines reports whether got has the shape of want; "..." lines match
// any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 || !lineMatcher(want[0]).MatchString(normalize(got[0])) {
		return false
	}
	return matchLines(want[1:], got[1:])
}

// trimBlank drops leading and trailing blank lines.
func trimBlank(ls []string) []string {
	for len(ls) > 0 && strings.TrimSpace(ls[0]) == "" {
		ls = ls[1:]
	}
	for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

func buildAwsmfa(t *testing.T, root, dir string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "awsmfa"), "./cmd/awsmfa")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as released (make build, make dist)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// portsFree checks that the ports the README shows are free: the examples
// use them as printed.
func portsFree(t *testing.T, readme string) {
	t.Helper()
	for _, p := range regexp.MustCompile(`127\.0\.0\.1:(\d{4,5})`).FindAllStringSubmatch(readme, -1) {
		ln, err := net.Listen("tcp", "127.0.0.1:"+p[1])
		if err != nil {
			t.Fatalf("README examples use 127.0.0.1:%s, which is busy: %v", p[1], err)
		}
		ln.Close()
	}
}

func TestReadmeExamples(t *testing.T) {
	root := testutil.ModuleRoot(t)
	text, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseReadme(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("the README's examples use the AWS CLI v2 at /usr/bin/aws (make deps installs it): %v", err)
	}
	portsFree(t, string(text))
	tmp, err := os.MkdirTemp("", "readme")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	bin := filepath.Join(tmp, ".bin")
	buildAwsmfa(t, root, bin)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--norc", "--noprofile", "-c", prelude+script(blocks, tmp))
	cmd.Dir = root
	cmd.Env = []string{
		"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + filepath.Join(tmp, "home"), "LANG=C.UTF-8", "TERM=dumb",
		"AWS_PAGER=", "TMPDIR=" + tmp,
		// Nothing leaves the machine.
		"HTTPS_PROXY=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Background servers are in the session's process group.
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) })
	_ = cmd.Wait()

	got := splitOutputs(out.String(), tmp)
	n := 0
	for _, b := range blocks {
		for _, ex := range b.examples {
			n++
			g, ok := got[ex.line]
			if !ok {
				t.Errorf("README.md:%d: %s\n  did not run (session output:\n%s)", ex.line, ex.command, tail(out.String(), 40))
				continue
			}
			want := trimBlank(ex.want)
			if !matchLines(want, trimBlank(g)) {
				t.Errorf("README.md:%d: $ %s\n--- README shows:\n%s\n--- the command printed:\n%s", ex.line, ex.command,
					strings.Join(want, "\n"), strings.Join(trimBlank(g), "\n"))
			}
		}
	}
	if n == 0 {
		t.Fatal("README.md has no console examples")
	}
	t.Logf("%d README examples in %d blocks", n, len(blocks))
}

// splitOutputs cuts the session's output at the markers, by README line.
func splitOutputs(out, tmp string) map[int][]string {
	got := map[int][]string{}
	cur := -1
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(out, tmp+"/", "/tmp/")))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if rest, ok := strings.CutPrefix(l, marker+" "); ok {
			fmt.Sscan(rest, &cur)
			got[cur] = nil
			continue
		}
		if cur >= 0 {
			got[cur] = append(got[cur], l)
		}
	}
	return got
}

func tail(s string, n int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
