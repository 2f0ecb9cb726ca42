package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// RunBatch with Jobs answers exactly as one by one: same bytes, same
// error, whatever the number of workers, across many chunks, with blank,
// broken and too long lines.
func TestRunBatchJobs(t *testing.T) {
	random := randomBatchLines(t, 1200) // several chunks of chunkLines
	good := `{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`
	cases := []struct {
		name  string
		input string
		max   int
	}{
		{"empty", "", 0},
		{"random corpus", string(random), 0},
		{"blank and broken lines", good + "\n\n  \r\nnot json\n" + string(random[:len(random)/3]) + "{}\n" + good, 0},
		{"a long line stops the batch", string(random[:len(random)/2]) + strings.Repeat("x", 5000) + "\n" + good + "\n", 4000},
		{"chunk by bytes", strings.Repeat(string(random[:len(random)/8]), 8), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want bytes.Buffer
			wantErr := RunBatch(strings.NewReader(c.input), &want, BatchOptions{Name: "in.jsonl", MaxLineBytes: c.max})
			if strings.Contains(c.name, "long") && wantErr == nil {
				t.Fatal("no error for the long line")
			}
			for _, jobs := range []int{2, 3, 8} {
				var got bytes.Buffer
				err := RunBatch(strings.NewReader(c.input), &got, BatchOptions{Name: "in.jsonl", MaxLineBytes: c.max, Jobs: jobs})
				if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
					t.Errorf("jobs %d: error %v, want %v", jobs, err, wantErr)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("jobs %d: %d bytes of answers differ from the %d bytes one by one", jobs, got.Len(), want.Len())
				}
			}
		})
	}
}

// failingWriter fails once more than n bytes were written.
type failingWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

// A write error stops the batch and is returned, with and without jobs,
// and reading stops soon after rather than going through the whole input.
func TestRunBatchJobsWriteError(t *testing.T) {
	random := randomBatchLines(t, 400)
	input := bytes.Repeat(random, 20)
	for _, jobs := range []int{1, 2, 4} {
		r := &countingReader{r: bytes.NewReader(input)}
		err := RunBatch(r, &failingWriter{n: 100 << 10}, BatchOptions{Jobs: jobs})
		if !errors.Is(err, errWrite) {
			t.Errorf("jobs %d: error %v, want %v", jobs, err, errWrite)
		}
		if r.n >= int64(len(input)) {
			t.Errorf("jobs %d: read all %d bytes after the write failed", jobs, r.n)
		}
	}
}

// A read error stops the batch after the lines before it are answered.
func TestRunBatchJobsReadError(t *testing.T) {
	good := `{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}` + "\n"
	errRead := errors.New("read failed")
	for _, jobs := range []int{1, 2} {
		var out bytes.Buffer
		r := io.MultiReader(strings.NewReader(strings.Repeat(good, 3)), &errReader{errRead})
		err := RunBatch(r, &out, BatchOptions{Jobs: jobs})
		if !errors.Is(err, errRead) {
			t.Errorf("jobs %d: error %v", jobs, err)
		}
		if n := strings.Count(out.String(), "\n"); n != 3 || !strings.HasPrefix(out.String(), `{"decision":"allowed"`) {
			t.Errorf("jobs %d: %d answers before the read error, want 3", jobs, n)
		}
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// A policy whose bytes the batch has seen is not validated again; every
// answer must still be what a fresh batcher gives, for broken lines that
// repeat cached policies too.
func TestBatchKnownPolicies(t *testing.T) {
	random := bytes.Split(bytes.TrimSpace(randomBatchLines(t, 60)), []byte("\n"))
	var lines [][]byte
	for _, l := range random {
		lines = append(lines, l)
		for _, cut := range []int{len(l) - 1, len(l) / 2, len(l) * 3 / 4} {
			lines = append(lines, l[:cut])
		}
		// The same policies, then garbage in the rest of the line.
		lines = append(lines, append(bytes.Clone(l[:len(l)-1]), `,"x":1}`...))
		lines = append(lines, append(bytes.Clone(l), '}'))
	}
	warm := newBatcher(0)
	for i, l := range lines {
		got := string(warm.line(l, i+1))
		want := string(newBatcher(0).line(l, i+1))
		if got != want {
			t.Fatalf("line %d %.80q...: warm batcher %s, fresh %s", i+1, l, got, want)
		}
	}
}

func TestRawEnd(t *testing.T) {
	cases := []struct {
		in         string
		end, depth int
	}{
		{`{}`, 2, 1},
		{`{"a":[1,{"b":"}"}]} tail`, 19, 3},
		{`{"a":"\"}"}`, 11, 1},
		{`{"a":"\\"}`, 10, 1},
		{`[[[]]]`, 6, 3},
		{`{"a":1`, -1, 0},
		{`{"a":"}`, -1, 0},
	}
	for _, c := range cases {
		if end, depth := rawEnd([]byte(c.in), 0); end != c.end || depth != c.depth {
			t.Errorf("rawEnd(%q) = %d, %d; want %d, %d", c.in, end, depth, c.end, c.depth)
		}
	}
}

// A cached policy seen at a shallow level is validated again where its
// nesting would pass policy.MaxDepth.
func TestBatchKnownPolicyDepth(t *testing.T) {
	deep := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:x":` +
		strings.Repeat("[", 250) + strings.Repeat("]", 250) + `}}}]}`
	line := func(field string) []byte {
		return []byte(`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},` + field + `}`)
	}
	b := newBatcher(0)
	for i, l := range [][]byte{
		line(`"resourcePolicy":` + deep),
		line(`"serviceControlPolicies":[[` + deep + `]]`),
	} {
		got := string(b.line(l, i+1))
		want := string(newBatcher(0).line(l, i+1))
		if got != want {
			t.Errorf("line %d: warm batcher %s, fresh %s", i+1, got, want)
		}
		// Deep enough to be accepted as the resource policy (level 2)
		// and too deep as an SCP (level 4).
		if tooDeep := strings.Contains(got, "nesting deeper"); tooDeep != (i == 1) {
			t.Errorf("line %d: %s", i+1, got)
		}
	}
}

// appendResult writes exactly what convert followed by appendOutput
// writes, over the random corpus (all layers, conditions, near misses,
// SCP and RCP levels).
func TestAppendResultMatchesOutput(t *testing.T) {
	b := newBatcher(0)
	answered := 0
	for i, line := range bytes.Split(bytes.TrimSpace(randomBatchLines(t, 3000)), []byte("\n")) {
		if err := b.in.decode(line); err != nil {
			continue
		}
		if err := b.comp.fill(&b.set, &b.in.in); err != nil {
			continue
		}
		res, err := evalSet(&b.set, &b.in.in.Request, b.in.ctx, &b.scratch)
		if err != nil {
			continue
		}
		answered++
		got := string(appendResult(nil, &res))
		want := string(outputEncoder{}.appendOutput(nil, convert(&res)))
		if got != want {
			t.Fatalf("line %d:\n got %s\nwant %s", i+1, got, want)
		}
	}
	if answered < 2000 {
		t.Errorf("only %d of 3000 lines answered", answered)
	}
}

// The interner gives the bytes' string whatever its state, pauses after a
// window of mostly new values and keeps interning repeated ones.
func TestInterner(t *testing.T) {
	cases := []struct {
		name      string
		value     func(i int) string
		wantPause bool
	}{
		{"repeated values", func(i int) string { return []string{"a", "b", "c"}[i%3] }, false},
		{"new values", func(i int) string { return "v" + strconv.Itoa(i) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in interner
			for i := 0; i < internWindow+10; i++ {
				if got := in.get([]byte(c.value(i))); got != c.value(i) {
					t.Fatalf("value %d: %q", i, got)
				}
			}
			if paused := in.skip > 0; paused != c.wantPause {
				t.Errorf("paused %v, want %v", paused, c.wantPause)
			}
		})
	}
}

// appendString's eight-byte fast path: every byte value at every place of
// strings longer than eight bytes is escaped as encoding/json escapes it.
func TestAppendStringEveryByte(t *testing.T) {
	base := []byte("arn:aws:s3:::bucket/key-0123456789")
	for c := 0; c < 256; c++ {
		for at := 0; at < 20; at++ {
			s := bytes.Clone(base)
			s[at] = byte(c)
			want, _ := json.Marshal(string(s))
			if got := appendString(nil, string(s)); !bytes.Equal(got, want) {
				t.Fatalf("byte %#x at %d: appendString = %s, want %s", c, at, got, want)
			}
		}
	}
}

// OnChurn is called once for a batch that compiles new policies on most
// lines, and not for one that repeats its policies, with and without jobs.
func TestRunBatchOnChurn(t *testing.T) {
	cases := []struct {
		name  string
		input []byte
		want  int
	}{
		{"random corpus", randomBatchLines(t, 3*churnWindow), 1},
		{"typical batch", benchLines(3 * churnWindow), 0},
	}
	for _, c := range cases {
		for _, jobs := range []int{1, 2} {
			calls := 0
			err := RunBatch(bytes.NewReader(c.input), io.Discard, BatchOptions{Jobs: jobs, OnChurn: func() { calls++ }})
			if err != nil || calls != c.want {
				t.Errorf("%s, jobs %d: %d calls (%v), want %d", c.name, jobs, calls, err, c.want)
			}
		}
	}
}
