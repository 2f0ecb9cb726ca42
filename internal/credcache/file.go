package credcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

const entryExt = ".json"

// fileCache keeps one JSON file per key in dir (0700), each 0600, written
// atomically (temporary file, fsync, rename, directory fsync).
type fileCache struct {
	dir   string
	pass  string
	kd    *keyDeriver
	locks *lockDir
}

func newFileCache(dir, passphrase string) *fileCache {
	return &fileCache{dir: dir, pass: passphrase, kd: &keyDeriver{}, locks: &lockDir{dir: filepath.Join(dir, "locks")}}
}

func (c *fileCache) path(key string) string {
	return filepath.Join(c.dir, fileName(key)+entryExt)
}

// readEntryFile reads at most maxEntrySize+1 bytes of path.
func readEntryFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("not a regular file")}
	}
	return io.ReadAll(io.LimitReader(f, maxEntrySize+1))
}

// absent reports whether a read error means "no entry": the file or a
// parent is missing, or a parent is not a directory.
func absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func (c *fileCache) Get(key string) (*Credentials, error) {
	if key == "" {
		return nil, errors.New("credential cache: empty key")
	}
	p := c.path(key)
	data, err := readEntryFile(p)
	if err != nil {
		if absent(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read the credential cache entry %s: %w", p, err)
	}
	creds, st, reason := decodeEntry(data, key, c.pass, c.kd)
	switch st {
	case entryOK:
		return creds, nil
	case entryLocked:
		return nil, &unreadableError{key: key, reason: reason}
	}
	return nil, &corruptError{what: p, reason: reason}
}

func (c *fileCache) Put(key string, creds *Credentials) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	data, err := encodeEntry(key, creds, c.pass, c.kd)
	if err != nil {
		return fmt.Errorf("credential cache: cannot encode the entry %q: %w", key, err)
	}
	if err := ensureDir(c.dir); err != nil {
		return err
	}
	return writeAtomic(c.dir, fileName(key)+entryExt, data)
}

func (c *fileCache) Delete(key string) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	p := c.path(key)
	if err := os.Remove(p); err != nil && !absent(err) {
		return fmt.Errorf("cannot delete the credential cache entry %s: %w", p, err)
	}
	return nil
}

func (c *fileCache) List() ([]Entry, error) {
	des, err := os.ReadDir(c.dir)
	if err != nil {
		if absent(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot list the credential cache directory %s: %w", c.dir, err)
	}
	var out []Entry
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, entryExt) || !de.Type().IsRegular() {
			continue
		}
		data, err := readEntryFile(filepath.Join(c.dir, name))
		if err != nil {
			continue
		}
		var head struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(data, &head) != nil || head.Key == "" || fileName(head.Key)+entryExt != name {
			continue
		}
		creds, st, _ := decodeEntry(data, head.Key, c.pass, c.kd)
		if st != entryOK {
			continue
		}
		out = append(out, Entry{Key: head.Key, Credentials: creds})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (c *fileCache) Lock(ctx context.Context, key string) (func(), error) {
	return c.locks.lock(ctx, key)
}

// ensureDir creates dir (0700) when missing, with an error naming it.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("the credential cache directory %s cannot be created: %w", dir, err)
	}
	return nil
}

// writeAtomic writes data to dir/name through a temporary file in dir
// (created 0600), flushed to disk and renamed over the target, then syncs
// the directory: readers and a crash at any moment see the old or the new
// entry, never a part. The target always ends up 0600.
func writeAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("the credential cache directory %s is not writable: %w", dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("cannot write to the credential cache directory %s: %w", dir, err)
	}
	if runtime.GOOS != "windows" {
		if err = f.Chmod(0o600); err != nil {
			return fmt.Errorf("cannot set permissions in the credential cache directory %s: %w", dir, err)
		}
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cannot flush to the credential cache directory %s: %w", dir, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cannot write to the credential cache directory %s: %w", dir, err)
	}
	if err = renameRetry(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("cannot replace the credential cache entry %s: %w", filepath.Join(dir, name), err)
	}
	syncDir(dir)
	return nil
}

// renameRetry renames, retrying briefly on Windows, where replacing a file
// another process has open (a concurrent Get) fails with a sharing
// violation for that moment.
func renameRetry(from, to string) error {
	err := os.Rename(from, to)
	for i := 0; err != nil && runtime.GOOS == "windows" && i < 20; i++ {
		time.Sleep(10 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}

// syncDir makes a rename in dir durable; best effort (impossible on
// Windows, refused by some file systems).
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
