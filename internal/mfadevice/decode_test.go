package mfadevice

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// terminalImage paints the terminal drawing as a dark terminal shows it:
// blocks light, blanks dark, 8x8 pixels per module.
func terminalImage(drawing string) image.Image {
	lines := strings.Split(strings.TrimSuffix(drawing, "\n"), "\n")
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, w*8, len(lines)*16))
	for y, l := range lines {
		for x, r := range []rune(l) {
			top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
			for dy := 0; dy < 16; dy++ {
				on := (dy < 8 && top) || (dy >= 8 && bottom)
				for dx := 0; dx < 8; dx++ {
					if on {
						img.SetGray(x*8+dx, y*16+dy, color.Gray{Y: 255})
					}
				}
			}
		}
	}
	return img
}

// TestQRDecodes: zbarimg (zbar-tools), an independent QR reader, reads
// the otpauth URI back from the terminal drawing and from the PNG.
func TestQRDecodes(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg (Debian zbar-tools) is missing: make deps installs it")
		}
		t.Skip("zbarimg (Debian zbar-tools) not installed")
	}
	v := &Virtual{Name: "dana", Account: "123456789012", Secret: Secret{b: []byte("0123456789abcdefghij")}}
	dir := t.TempDir()
	drawing, err := Terminal(v.URI())
	if err != nil {
		t.Fatal(err)
	}
	termPNG := filepath.Join(dir, "terminal.png")
	f, err := os.Create(termPNG)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, terminalImage(drawing)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	libPNG := filepath.Join(dir, "qr.png")
	b, err := PNG(v.URI())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(libPNG, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{termPNG, libPNG} {
		out, err := exec.Command(zbar, "-q", "--raw", p).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", filepath.Base(p), err)
		}
		if got := strings.TrimSpace(string(out)); got != v.URI() {
			t.Errorf("%s decodes to %q, want %q", filepath.Base(p), got, v.URI())
		}
	}
}
