//go:build unix

package store

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// wideUmask runs the test with umask 000, the widest, and restores the
// previous one. Tests of this package do not run in parallel, so no other
// test creates files meanwhile.
func wideUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestNewStateIsPrivateWhateverTheUmask(t *testing.T) {
	wideUmask(t)
	base := t.TempDir()
	path := filepath.Join(base, "a", "b", "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A write, so that the WAL and shared-memory files exist now.
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b")} {
		if m := mode(t, dir); m != 0o700 {
			t.Errorf("created directory %s has mode %04o, want 0700", dir, m)
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", p, m)
		}
	}
	if w := st.Warnings(); len(w) != 0 {
		t.Errorf("warnings for a new state: %q", w)
	}
}

func TestExistingWideStateIsTightenedWithAWarning(t *testing.T) {
	wideUmask(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// As an older awsmfa or a copy with cp would have left it.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.WriteFile(path+suffix, nil, 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path+suffix, 0o664); err != nil {
			t.Fatal(err)
		}
	}
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.GetUser("alice"); err != nil {
		t.Fatalf("state lost: %v", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", p, m)
		}
	}
	w := strings.Join(st.Warnings(), "\n")
	for _, want := range []string{path + " was readable by others (mode 0644); changed it to 0600", path + "-wal was readable by others (mode 0664)", path + "-shm was readable"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q do not say %q", w, want)
		}
	}
	if strings.Count(w, "\n") != 2 {
		t.Errorf("want three warnings, got %q", w)
	}
}

func TestStatePermissionsLeaveNarrowerModesAlone(t *testing.T) {
	wideUmask(t)
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if m := mode(t, path); m != 0o600 {
		t.Errorf("mode %04o", m)
	}
	if len(st.Warnings()) != 0 {
		t.Errorf("warnings %q", st.Warnings())
	}
}

func TestExistingDirectoryIsNotChanged(t *testing.T) {
	wideUmask(t)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := Open(filepath.Join(dir, "lab.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if m := mode(t, dir); m != 0o755 {
		t.Errorf("an existing directory was changed to %04o", m)
	}
}

func TestStatePathThatIsADirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Open(directory) = %v", err)
	}
}

func TestAFileThatIsNotADatabaseIsLeftAlone(t *testing.T) {
	wideUmask(t)
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "is not a lab state (not an SQLite database)") {
		t.Fatalf("Open(text file) = %v", err)
	}
	if m := mode(t, path); m != 0o644 {
		t.Errorf("mode of a foreign file changed to %04o", m)
	}
	if b, _ := os.ReadFile(path); string(b) != "my notes\n" {
		t.Errorf("foreign file changed: %q", b)
	}
}
