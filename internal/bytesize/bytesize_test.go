package bytesize

import "testing"

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64 MiB", 4 << 20: "4 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := Format(n); got != want {
			t.Errorf("Format(%d) = %q, want %q", n, got, want)
		}
	}
}
