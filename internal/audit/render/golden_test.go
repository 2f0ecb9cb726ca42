package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden renders the sample report in every format and compares with
// testdata/golden. After a deliberate change, run
// `go test ./internal/audit/render -run TestGolden -update` and review the
// diff.
func TestGolden(t *testing.T) {
	rep := sampleReport()
	opts := Options{ToolVersion: "test", Cwd: "/nonexistent"}
	all := opts
	all.All = true
	outputs := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { return Text(b, rep, opts) }},
		{"report-all.txt", func(b *bytes.Buffer) error { return Text(b, rep, all) }},
		{"report.json", func(b *bytes.Buffer) error { return JSON(b, rep) }},
		{"report.sarif", func(b *bytes.Buffer) error { return SARIF(b, rep, opts) }},
		{"report.html", func(b *bytes.Buffer) error { return HTML(b, rep, opts) }},
		{"report-all.html", func(b *bytes.Buffer) error { return HTML(b, rep, all) }},
	}
	for _, o := range outputs {
		t.Run(o.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := o.write(&got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", o.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the golden file; run with -update and review the diff.\ngot:\n%s", path, got.String())
			}
		})
	}
}
