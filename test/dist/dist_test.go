// Package dist tests the release build (scripts/dist.sh, make dist).
package dist

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/pe"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

// TestDistBuild runs the release script for the host platform and one
// cross target, then checks what a release promises: static, stripped,
// no build paths in the binary, version and commit stamped, SHA256SUMS
// right.
func TestDistBuild(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the release build is checked on linux/amd64 hosts")
	}
	root := testutil.ModuleRoot(t)
	out := t.TempDir()
	const version = "v0.0.0-disttest"
	cmd := exec.Command(filepath.Join(root, "scripts", "dist.sh"), out)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "DIST_TARGETS=linux/amd64 windows/arm64", "VERSION="+version)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/dist.sh: %v\n%s", err, b)
	}
	commit := gitHead(t, root)

	linux := filepath.Join(out, "awsmfa-"+version+"-linux-amd64")
	windows := filepath.Join(out, "awsmfa-"+version+"-windows-arm64.exe")
	checkStaticStripped(t, linux)
	checkPE(t, windows)
	for _, bin := range []string{linux, windows} {
		checkNoBuildPaths(t, bin, root)
	}

	got, err := exec.Command(linux, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	if want := "awsmfa " + version + " (commit " + commit; !strings.HasPrefix(string(got), want) {
		t.Errorf("--version = %q, want prefix %q", got, want)
	}
	checkSums(t, out, []string{filepath.Base(linux), filepath.Base(windows)})
}

func gitHead(t *testing.T, root string) string {
	t.Helper()
	b, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// checkStaticStripped: no ELF interpreter or dynamic section (static), no
// symbol table or DWARF (stripped).
func checkStaticStripped(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s: dynamically linked (program header %v)", filepath.Base(path), p.Type)
		}
	}
	for _, name := range []string{".symtab", ".debug_info", ".zdebug_info"} {
		if f.Section(name) != nil {
			t.Errorf("%s: not stripped (%s present)", filepath.Base(path), name)
		}
	}
}

// checkPE: a Windows ARM64 executable without a symbol table.
func checkPE(t *testing.T, path string) {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_ARM64 {
		t.Errorf("%s: machine %#x, want ARM64", filepath.Base(path), f.Machine)
	}
	if len(f.Symbols) != 0 {
		t.Errorf("%s: %d symbols, want a stripped binary", filepath.Base(path), len(f.Symbols))
	}
}

// checkNoBuildPaths: -trimpath leaves no path of the build machine.
func checkNoBuildPaths(t *testing.T, path, root string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{root, runtime.GOROOT() + "/src"} {
		if bytes.Contains(b, []byte(p)) {
			t.Errorf("%s contains the build path %s", filepath.Base(path), p)
		}
	}
}

// checkSums: SHA256SUMS lists exactly the binaries with their digests, in
// sha256sum's format.
func checkSums(t *testing.T, dir string, names []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not in sha256sum's format", sc.Text())
		}
		listed[name] = sum
	}
	if len(listed) != len(names) {
		t.Errorf("SHA256SUMS lists %d files, want %d", len(listed), len(names))
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256(b)
		if got := listed[n]; got != hex.EncodeToString(d[:]) {
			t.Errorf("SHA256SUMS: %s = %q, want %x", n, got, d)
		}
	}
}

// TestBinaryLinksNoTestCode: nothing test- or benchmark-only is linked into
// the binary.
func TestBinaryLinksNoTestCode(t *testing.T) {
	root := testutil.ModuleRoot(t)
	cmd := exec.Command("go", "list", "-deps", "./cmd/awsmfa")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	testOnly := []string{"/testutil", "test", "/loadgen", "/benchlab", "/oracle", "testing", "net/http/httptest"}
	for _, pkg := range strings.Fields(string(out)) {
		if !strings.HasPrefix(pkg, "github.com/awsmfa/awsmfa/") && pkg != "testing" && pkg != "net/http/httptest" {
			continue
		}
		rel := strings.TrimPrefix(pkg, "github.com/awsmfa/awsmfa/")
		for _, bad := range testOnly {
			if strings.Contains(rel, bad) {
				t.Errorf("the binary links %s (test or benchmark code)", pkg)
			}
		}
	}
}

// TestBinaryStartupDependencies: every awsmfa process (each AWS CLI call
// through credential_process) initialises every package the binary links,
// so packages with costly initialisation stay out: the SDK's config loader
// (it brings the SSO, SSO-OIDC and sign-in clients) and the service
// clients' schema-based serde (iam v1.65.0, organizations v1.57.0 and sts
// v1.52.0 build their schemas at start-up: about 6 ms of a 12-20 ms start
// on this machine kind, measured with GODEBUG=inittrace=1; go.mod keeps
// the last releases before it).
func TestBinaryStartupDependencies(t *testing.T) {
	root := testutil.ModuleRoot(t)
	cmd := exec.Command("go", "list", "-deps", "./cmd/awsmfa")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/") && strings.HasSuffix(pkg, "/schemas"):
			t.Errorf("the binary links %s: schema-based serde, built at every start", pkg)
		case pkg == "github.com/aws/aws-sdk-go-v2/config", strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/sso"),
			strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/signin"):
			t.Errorf("the binary links %s: the SDK's config loader and its SSO clients, initialised at every start", pkg)
		}
	}
}
