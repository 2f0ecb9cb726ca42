package simulate

import (
	"flag"
	"os"
	"testing"
)

var typicalCorpusPath = flag.String("typical-corpus", "", "TestWriteTypicalCorpus: write the benchmark's typical batch (100,000 lines, one repeated policy set) to this file")

// TestWriteTypicalCorpus writes the input of BenchmarkRunBatch to a file so
// that `awsmfa policy simulate --batch` and the iam-simulate oracle can be
// timed on exactly the same lines (scripts/bench.sh). It does nothing unless
// -typical-corpus is given.
func TestWriteTypicalCorpus(t *testing.T) {
	if *typicalCorpusPath == "" {
		t.Skip("no -typical-corpus")
	}
	if err := os.WriteFile(*typicalCorpusPath, benchLines(100000), 0o644); err != nil {
		t.Fatal(err)
	}
}
