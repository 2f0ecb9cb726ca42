package mfadevice

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrLevel is the QR code's error correction: Medium (15%), as for
// printed or displayed codes scanned by phone cameras.
const qrLevel = qrcode.Medium

// PNGSize is the width and height of the PNG QR code, in pixels.
const PNGSize = 320

// Terminal renders text as a QR code for a terminal: two modules per
// character cell with the half blocks ▀ ▄ █, light modules drawn (a
// terminal's background is dark far more often than light), with the
// quiet zone QR readers need around the code.
func Terminal(text string) (string, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return "", fmt.Errorf("drawing the QR code: %w", err)
	}
	return halfBlocks(q.Bitmap()), nil
}

// halfBlocks draws a bitmap (true: dark module) with light modules as
// ink, two rows per line; an odd last row is paired with a light one.
func halfBlocks(bm [][]bool) string {
	var sb strings.Builder
	light := func(y, x int) bool { return y >= len(bm) || !bm[y][x] }
	for y := 0; y < len(bm); y += 2 {
		for x := range bm[y] {
			top, bottom := light(y, x), light(y+1, x)
			switch {
			case top && bottom:
				sb.WriteRune('█')
			case top:
				sb.WriteRune('▀')
			case bottom:
				sb.WriteRune('▄')
			default:
				sb.WriteByte(' ')
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// PNG encodes text as a PNG QR code of PNGSize pixels.
func PNG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("drawing the QR code: %w", err)
	}
	return q.PNG(PNGSize)
}

// WriteSecretFile writes data, which holds a secret, into a new file with
// mode 0600. An existing file is never overwritten (it could be readable
// by others, or be something else the user needs); a partial file is
// removed.
func WriteSecretFile(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; remove it or choose another file", path)
		}
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	// The umask may have narrowed the mode, never widened it; say it
	// explicitly anyway.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// WriteQR writes the terminal QR code of the device.
func (v *Virtual) WriteQR(w io.Writer) error {
	s, err := Terminal(v.URI())
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, s)
	return err
}
