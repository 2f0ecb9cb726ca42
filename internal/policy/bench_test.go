package policy

import (
	"os"
	"path/filepath"
	"testing"
)

func benchData(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "typical_10_statements.json"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkParse parses a typical 10-statement identity policy.
func BenchmarkParse(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("typical.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSON("typical.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	d, err := Parse("typical.json", benchData(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Format(d)
	}
}
