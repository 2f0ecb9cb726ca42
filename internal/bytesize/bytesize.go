// Package bytesize writes byte counts for people, as input limits are
// named in error messages and documentation.
package bytesize

import "fmt"

// Format writes n as "64 MiB" or "512 KiB" when it is a whole number of
// those units, else as "1000 bytes".
func Format(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
