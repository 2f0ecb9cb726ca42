package mfadevice

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestTerminalGolden: the terminal drawing of a fixed lab-style URI (a
// made-up secret) is stable; scan testdata/qr.golden with a phone to
// check it by eye.
func TestTerminalGolden(t *testing.T) {
	v := &Virtual{Name: "dana", Account: "123456789012", Secret: Secret{b: []byte("awsmfa-golden-seed-0123456789")}}
	got, err := Terminal(v.URI())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "qr.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("drawing differs from %s (rerun with -update if intended):\n%s", path, got)
	}
}
