package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A state file holds every secret access key and MFA seed of the account,
// so it is private to its owner whatever the umask or the --state path:
// the file and SQLite's -wal, -shm and -journal files beside it are 0600,
// and directories created for it are 0700. Permissions are set on the
// files themselves (create with 0600, then chmod), never through the
// process umask, which other goroutines share.
const (
	stateFileMode os.FileMode = 0o600
	stateDirMode  os.FileMode = 0o700
)

// sidecarSuffixes are the files SQLite keeps next to a database.
var sidecarSuffixes = []string{"-wal", "-shm", "-journal"}

// prepareStateFile makes sure path can be opened privately before SQLite
// opens it: it creates missing parent directories 0700, creates the file
// 0600 when missing, and removes group and other permissions from an
// existing file or sidecar. It returns one warning per file it tightened.
func prepareStateFile(path string) ([]string, error) {
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, created, err := openOrCreate(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if created {
		// Exactly 0600, whatever the umask took away.
		if err := f.Chmod(stateFileMode); err != nil {
			return nil, err
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	// Never change the mode of a file that is not a database.
	if !created && fi.Size() > 0 && !isSQLite(f) {
		return nil, fmt.Errorf("%s is not a lab state (not an SQLite database)", path)
	}
	var warnings []string
	if w, err := tighten(path, fi.Mode(), f.Chmod); err != nil {
		return nil, err
	} else if w != "" {
		warnings = append(warnings, w)
	}
	more, err := tightenSidecars(path)
	return append(warnings, more...), err
}

// sqliteHeader starts every SQLite database file
// (https://www.sqlite.org/fileformat.html#the_database_header).
const sqliteHeader = "SQLite format 3\x00"

func isSQLite(f *os.File) bool {
	b := make([]byte, len(sqliteHeader))
	n, _ := f.ReadAt(b, 0)
	return n == len(b) && string(b) == sqliteHeader
}

// openOrCreate opens path, creating it with mode 0600 when missing.
func openOrCreate(path string) (f *os.File, created bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, stateFileMode)
	if err == nil {
		return f, true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, false, err
	}
	f, err = os.OpenFile(path, os.O_RDONLY, 0)
	return f, false, err
}

// tightenSidecars removes group and other permissions from the SQLite
// files next to path that exist.
func tightenSidecars(path string) ([]string, error) {
	var warnings []string
	for _, suffix := range sidecarSuffixes {
		p := path + suffix
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		w, err := tighten(p, fi.Mode(), func(m os.FileMode) error { return os.Chmod(p, m) })
		if err != nil {
			return nil, err
		}
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	return warnings, nil
}

// tighten drops the permission bits of mode outside 0600 with chmod and
// describes the change ("" when there was nothing to drop).
func tighten(path string, mode os.FileMode, chmod func(os.FileMode) error) (string, error) {
	perm := mode.Perm()
	if perm&^stateFileMode == 0 {
		return "", nil
	}
	narrowed := perm & stateFileMode
	if err := chmod(narrowed); err != nil {
		return "", fmt.Errorf("restricting the permissions of %s: %w", path, err)
	}
	return fmt.Sprintf("%s was readable by others (mode %04o); changed it to %04o: lab state holds secret keys and MFA seeds", path, perm, narrowed), nil
}

// mkdirPrivate creates dir and its missing parents with mode 0700 (set
// with chmod, so a restrictive umask cannot leave them unusable). Existing
// directories are left as they are.
func mkdirPrivate(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, stateDirMode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // created meanwhile by someone else
		}
		return err
	}
	return os.Chmod(dir, stateDirMode)
}
