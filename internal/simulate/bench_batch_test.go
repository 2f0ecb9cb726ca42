package simulate

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"testing"
)

// randomBatchLines is a random differential-test corpus of n lines (every
// line its own policies and layers), as scripts/bench.sh feeds the CLI.
func randomBatchLines(tb testing.TB, n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		line, err := json.Marshal(rgCase(oracleDefaultSeed, i))
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkRunBatchRandom times RunBatch over 5,000 random corpus lines,
// where nearly every policy is new: parsing and compiling dominate.
func BenchmarkRunBatchRandom(b *testing.B) {
	const lines = 5000
	input := randomBatchLines(b, lines)
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out countWriter
		if err := RunBatch(bytes.NewReader(input), &out, BatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkRunBatchRandomGC is BenchmarkRunBatchRandom with the GC target
// `awsmfa policy simulate --batch` sets.
func BenchmarkRunBatchRandomGC(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	BenchmarkRunBatchRandom(b)
}

// BenchmarkRunBatchGC is BenchmarkRunBatch with the GC target `awsmfa
// policy simulate --batch` sets.
func BenchmarkRunBatchGC(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	BenchmarkRunBatch(b)
}
