package credcache

import (
	"testing"
	"time"
)

// BenchmarkOpenGetHit is the cache's share of a credential-process cache
// hit: open the cache (auto backend) and read one entry.
func BenchmarkOpenGetHit(b *testing.B) {
	for _, pass := range []string{"", "pw"} {
		name := "plain"
		if pass != "" {
			name = "encrypted"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			w, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass})
			if err := w.Put("0123456789abcdef0123456789abcdef", sampleCreds(time.Now().Add(time.Hour))); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, err := Open(Options{Dir: dir, Passphrase: pass})
				if err != nil {
					b.Fatal(err)
				}
				if pass != "" {
					// A new process has no derived key yet.
					c.(*fileCache).kd = &keyDeriver{}
				}
				got, err := c.Get("0123456789abcdef0123456789abcdef")
				if err != nil || got == nil {
					b.Fatal(got, err)
				}
			}
		})
	}
}

func BenchmarkLockUnlock(b *testing.B) {
	c, _ := Open(Options{Backend: BackendFile, Dir: b.TempDir()})
	for i := 0; i < b.N; i++ {
		unlock, err := c.Lock(b.Context(), "k")
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}

func BenchmarkPut(b *testing.B) {
	c, _ := Open(Options{Backend: BackendFile, Dir: b.TempDir()})
	cr := sampleCreds(time.Now().Add(time.Hour))
	for i := 0; i < b.N; i++ {
		if err := c.Put("k", cr); err != nil {
			b.Fatal(err)
		}
	}
}
