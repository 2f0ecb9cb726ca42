package lint

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden lints every fixture in testdata and compares the text, JSON
// and SARIF output with testdata/golden/findings.{txt,json,sarif}. After a
// deliberate change, run `go test ./internal/lint -run TestGolden -update`
// and review the diff.
func TestGolden(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*.json", "testdata/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	var findings []Finding
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := LintFile(f, data, Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		findings = append(findings, fs...)
	}
	SortFindings(findings)
	outputs := map[string]func(*bytes.Buffer) error{
		"findings.txt":   func(b *bytes.Buffer) error { return WriteText(b, findings) },
		"findings.json":  func(b *bytes.Buffer) error { return WriteJSON(b, findings) },
		"findings.sarif": func(b *bytes.Buffer) error { return WriteSARIF(b, findings, "test") },
	}
	for name, write := range outputs {
		var got bytes.Buffer
		if err := write(&got); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s differs from the golden file (run with -update and review the diff):\n%s", name, firstDiff(got.Bytes(), want))
		}
	}
}

// firstDiff shows the first line that differs.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return "line " + itoa(i+1) + ":\n got " + string(gl) + "\nwant " + string(wl)
		}
	}
	return ""
}

func itoa(n int) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}
