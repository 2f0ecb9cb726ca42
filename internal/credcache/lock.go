package credcache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting Lock retries the file lock held by
// another process.
const lockRetry = 20 * time.Millisecond

// lockDir hands out exclusive locks, one lock file per key in dir. Inside
// one process, waiters queue on a channel first (woken at once, no
// polling); across processes the lock is an flock(2)/LockFileEx lock on
// dir/<key>.lock (gofrs/flock), retried every lockRetry until ctx ends.
// Lock files are never deleted (deleting one could let two processes hold
// "the" lock at once).
type lockDir struct {
	dir string
}

var (
	procLocksMu sync.Mutex
	procLocks   = map[string]chan struct{}{}
)

// procLock returns the in-process semaphore of a lock file path, shared by
// every Cache of the process.
func procLock(path string) chan struct{} {
	procLocksMu.Lock()
	defer procLocksMu.Unlock()
	ch, ok := procLocks[path]
	if !ok {
		ch = make(chan struct{}, 1)
		procLocks[path] = ch
	}
	return ch
}

func (l *lockDir) lock(ctx context.Context, key string) (func(), error) {
	if key == "" {
		return nil, errors.New("credential cache: empty lock key")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, fmt.Errorf("the credential cache lock directory %s cannot be created: %w", l.dir, err)
	}
	path := filepath.Join(l.dir, fileName(key)+".lock")
	sem := procLock(path)
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("gave up waiting for the credential cache lock of %q: %w", key, ctx.Err())
	}
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		<-sem
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("gave up waiting for the credential cache lock of %q (held by another awsmfa process): %w", key, ctxErr)
		}
		if err == nil {
			err = errors.New("lock not acquired")
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = fl.Unlock()
			<-sem
		})
	}, nil
}
