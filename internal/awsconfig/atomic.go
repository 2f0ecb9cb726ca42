package awsconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFileAtomic replaces the file at path with data so that readers (and
// a crash at any moment) see either the old content or the new, never a
// mix or a truncated file: the data goes to a temporary file in the same
// directory, is flushed to disk (fsync), gets its permissions, and is
// renamed over path; the directory is then synced so the rename itself is
// durable.
//
// An existing file keeps its permission bits (perm applies to new files
// only). When path is a symbolic link, the link's target is replaced and
// the link kept. Ownership is not copied (only root could). After a crash
// a stray ".NAME.tmp-*" file may remain next to path; it is never read.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	target := path
	if resolved, rerr := filepath.EvalSymlinks(path); rerr == nil {
		target = resolved
	} else if !errors.Is(rerr, fs.ErrNotExist) {
		return rerr
	}
	if fi, serr := os.Stat(target); serr == nil {
		if !fi.Mode().IsRegular() {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("not a regular file")}
		}
		perm = fi.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, target); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// EditFile applies edit to the file at path and writes the result with
// WriteFileAtomic. A missing file is edited as empty and created with mode
// 0600, its directory with 0700 if needed (as the AWS CLI creates ~/.aws).
// Nothing is written when edit returns the content unchanged; a file larger
// than MaxFileSize is an error. Typical use:
//
//	EditFile(configPath, func(b []byte) ([]byte, error) { return SetProfile(b, name, kv) })
func EditFile(path string, edit func([]byte) ([]byte, error)) error {
	data, err := ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(data) > MaxFileSize {
		return tooLarge(ConfigFile, path)
	}
	out, err := edit(data)
	if err != nil {
		if e, ok := err.(*Error); ok && e.File == "" {
			e.File = path
		}
		return err
	}
	if string(out) == string(data) && data != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(path, out, 0o600)
}

// syncDir makes a rename in dir durable; best effort (not possible on
// Windows, and some file systems refuse it).
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
