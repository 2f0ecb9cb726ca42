package awsconfig

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileAtomicKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config")
	if err := WriteFileAtomic(p, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode %v", fi.Mode())
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("b"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	if data, _ := os.ReadFile(p); string(data) != "b" || fi.Mode().Perm() != 0o640 {
		t.Fatalf("content %q mode %v", data, fi.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestWriteFileAtomicSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles-config")
	link := filepath.Join(dir, "config")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if data, _ := os.ReadFile(real); string(data) != "new" {
		t.Fatalf("target holds %q", data)
	}
}

func TestWriteFileAtomicErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(dir, []byte("x"), 0o600); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "config"), []byte("x"), 0o600); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		defer os.Chmod(ro, 0o700)
		if err := WriteFileAtomic(filepath.Join(ro, "config"), []byte("x"), 0o600); err == nil {
			t.Fatal("writing into a read-only directory succeeded")
		}
	}
}

// crashContents are the two versions the child process alternates between;
// large enough that a write takes a while, and both valid config files.
func crashContents() (a, b []byte) {
	var sa, sb strings.Builder
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&sa, "[profile p%d]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R%d\n\n", i, i)
		fmt.Fprintf(&sb, "[profile q%d]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/m%d\n\n", i, i)
	}
	return []byte(sa.String()), []byte(sb.String())
}

// TestAtomicWriteHelperProcess is the child of the crash tests: it writes
// the two contents alternately, forever, until killed.
func TestAtomicWriteHelperProcess(t *testing.T) {
	path := os.Getenv("AWSCONFIG_CRASH_FILE")
	if path == "" {
		t.Skip("helper process for TestWriteFileAtomicSurvivesKill")
	}
	a, b := crashContents()
	naive := os.Getenv("AWSCONFIG_CRASH_MODE") == "naive"
	for i := 0; ; i++ {
		data := a
		if i%2 == 1 {
			data = b
		}
		var err error
		if naive {
			err = naiveWrite(path, data)
		} else {
			err = WriteFileAtomic(path, data, 0o600)
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		if i == 0 {
			fmt.Println("ready")
		}
	}
}

// naiveWrite is how not to do it (truncate, then write in pieces); the
// control case proving the crash test detects torn writes.
func naiveWrite(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	for len(data) > 0 {
		n := min(4096, len(data))
		if _, err := f.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
		time.Sleep(50 * time.Microsecond)
	}
	return nil
}

// crashRun starts the child, kills it with SIGKILL after a random delay,
// and reports whether the file was left intact (exactly one of the two
// versions, parsing as a config file).
func crashRun(t *testing.T, path, mode string, r *rand.Rand) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAtomicWriteHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AWSCONFIG_CRASH_FILE="+path, "AWSCONFIG_CRASH_MODE="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not start: %q", line)
	}
	time.Sleep(time.Duration(r.IntN(30000)) * time.Microsecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("file unreadable after kill: %v", err)
	}
	a, b := crashContents()
	if !bytes.Equal(data, a) && !bytes.Equal(data, b) {
		return false
	}
	if _, err := Parse(File{Kind: ConfigFile, Data: data}); err != nil {
		return false
	}
	return true
}

func TestWriteFileAtomicSurvivesKill(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses SIGKILL")
	}
	r := rand.New(rand.NewPCG(7, 7))
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	a, _ := crashContents()
	if err := os.WriteFile(path, a, 0o600); err != nil {
		t.Fatal(err)
	}
	const runs = 25
	for i := 0; i < runs; i++ {
		if !crashRun(t, path, "atomic", r) {
			t.Fatalf("run %d: the file was left torn or empty after SIGKILL", i)
		}
	}
	// Kills landed mid-write: each one that interrupted a write left its
	// temporary file behind (never read, as the checks above show).
	strays, _ := filepath.Glob(filepath.Join(dir, ".config.tmp-*"))
	if len(strays) == 0 {
		t.Fatal("no kill interrupted a write; the test did not exercise a crash mid-write")
	}
	// Control: the same harness catches a non-atomic writer.
	torn := 0
	npath := filepath.Join(dir, "naive")
	if err := os.WriteFile(npath, a, 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10 && torn == 0; i++ {
		if !crashRun(t, npath, "naive", r) {
			torn++
		}
	}
	if torn == 0 {
		t.Fatal("control failed: killing a naive writer never left a torn file, so the test proves nothing")
	}
	t.Logf("%d kills during atomic writes (%d interrupted mid-write): file always intact; naive writer torn as expected", runs, len(strays))
}

func TestEditFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", ".aws", "config")
	set := func(kv ...KeyValue) func([]byte) ([]byte, error) {
		return func(b []byte) ([]byte, error) { return SetProfile(b, "dev", kv) }
	}
	if err := EditFile(p, set(KeyValue{"region", "us-east-1"})); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("created %v %v", fi, err)
	}
	if di, _ := os.Stat(filepath.Dir(p)); di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", di.Mode())
	}
	os.WriteFile(p, []byte("# mine\n[profile dev]\nregion = us-east-1\n"), 0o644)
	os.Chmod(p, 0o644)
	before, _ := os.Stat(p)
	if err := EditFile(p, set(KeyValue{"region", "us-east-1"})); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(p); !os.SameFile(before, after) {
		t.Fatal("an edit that changes nothing rewrote the file")
	}
	if err := EditFile(p, set(KeyValue{"output", "json"})); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	fi, _ = os.Stat(p)
	if string(data) != "# mine\n[profile dev]\nregion = us-east-1\noutput = json\n" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("got %q mode %v", data, fi.Mode())
	}
	os.WriteFile(p, []byte("region = x\n"), 0o644)
	err = EditFile(p, set(KeyValue{"k", "v"}))
	if err == nil || !strings.HasPrefix(err.Error(), p+":1: ") {
		t.Fatalf("error does not name the file and line: %v", err)
	}
}
