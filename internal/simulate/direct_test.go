package simulate

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// runLines answers input line by line with one batcher; direct picks the
// way policies are compiled: always directly (policy.ParseFast into reused
// memory), or never (the cache and the full parser, the way before).
func runLines(t *testing.T, input []byte, direct bool) []string {
	t.Helper()
	b := newBatcher(0)
	if direct {
		b.comp.direct.skip = 1 << 40
	} else {
		b.comp.direct = nil
	}
	lr := newLineReader(bytes.NewReader(input), 0)
	var out []string
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b.line(line, n)))
	}
}

// brokenVariants turns some random-corpus lines into lines with invalid or
// unusual policies, so that the direct way must fall back to the full
// parser and give its errors.
func brokenVariants(lines [][]byte) [][]byte {
	edits := []struct{ old, new string }{
		{`"Effect":"Allow"`, `"Effect":"allow"`},
		{`"Version":"2012-10-17"`, `"Version":"2012-10-18"`},
		{`"Statement":[`, `"Statement":[{},`},
		{`"Action":`, `"Action":"s3:GetObject","Action":`},
		{`"Resource":`, `"resource":`},
		{`"Condition":{`, `"Condition":{"bool":{"k":"v"},`},
		{`"Condition":{`, `"Condition":{"Bool":{"k":null},`},
		{`"Condition":{`, `"Condition":{"NumericEquals":{"k":01},`},
		{`"Sid":"`, `"Sid":"x y`},
		{`"Principal":"*"`, `"Principal":"**"`},
		{`"Statement":`, "\"Statement\" :\r\n\t"},
		{`"Action":"`, `"Action":"\u0073`},
		{`"Effect":"Deny"`, `"Effect":"Deny","Effect":"Deny"`},
		{`{"Statement":`, `{"Id":"i","Statement":`},
		{`{"Statement":`, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Statement":`},
	}
	var out [][]byte
	for i, line := range lines {
		e := edits[i%len(edits)]
		if bytes.Contains(line, []byte(e.old)) {
			out = append(out, bytes.Replace(line, []byte(e.old), []byte(e.new), 1))
		}
	}
	return out
}

// TestDirectMatchesCache checks that compiling policies directly answers
// every line of the random corpus, and broken variants of it, exactly as
// the cache and the full parser do.
func TestDirectMatchesCache(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	corpus := randomBatchLines(t, n)
	lines := bytes.Split(bytes.TrimSuffix(corpus, []byte("\n")), []byte("\n"))
	var input bytes.Buffer
	input.Write(corpus)
	for _, l := range brokenVariants(lines) {
		input.Write(l)
		input.WriteByte('\n')
	}
	// The same policies again: the cache now hits.
	input.Write(corpus[:len(corpus)/4])
	want := runLines(t, input.Bytes(), false)
	got := runLines(t, input.Bytes(), true)
	if len(got) != len(want) {
		t.Fatalf("%d answers, want %d", len(got), len(want))
	}
	errs := 0
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("answer %d differs:\n got %s\nwant %s", i+1, got[i], want[i])
		}
		if strings.Contains(want[i], `"error":`) {
			errs++
		}
	}
	if errs < len(lines)/30 {
		t.Errorf("only %d error answers: the broken variants do not test the fallback", errs)
	}
	// Both are checked against Run, line by line, elsewhere
	// (TestBatchMatchesRun); here the direct way is too.
	b := newBatcher(0)
	b.comp.direct.skip = 1 << 40
	for i, line := range bytes.Split(bytes.TrimSpace(input.Bytes()), []byte("\n"))[:min(1500, n)] {
		compareLine(t, b, line, i+1)
	}
	// RunBatch switches between the two ways by itself; its answers are
	// the same too.
	var out bytes.Buffer
	if err := RunBatch(bytes.NewReader(input.Bytes()), &out, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if out.String() != strings.Join(want, "") {
		t.Error("RunBatch answers differently")
	}
}

// TestDirectSwitches checks that a batch of new policies is compiled
// directly and one that repeats its policies goes through the cache.
func TestDirectSwitches(t *testing.T) {
	random := randomBatchLines(t, 1000)
	first, _, _ := bytes.Cut(random, []byte("\n"))
	repeated := bytes.Repeat(append(first, '\n'), 1000)
	for _, tt := range []struct {
		name   string
		input  []byte
		direct bool
	}{
		{"random", random, true},
		{"repeated", repeated, false},
	} {
		b := newBatcher(0)
		lr := newLineReader(bytes.NewReader(tt.input), 0)
		for {
			line, n, err := lr.next()
			if err != nil {
				break
			}
			b.line(line, n)
		}
		if got := b.comp.direct.active(); got != tt.direct {
			t.Errorf("%s: direct compilation %v, want %v", tt.name, got, tt.direct)
		}
	}
}

// TestParseFastRandomCorpus checks policy.ParseFast against
// policy.ParseKind on every policy of the random corpus: the same
// Document, and parsed the fast way nearly always.
func TestParseFastRandomCorpus(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	var sc policy.Scratch
	total, fast := 0, 0
	for i := 0; i < n; i++ {
		docs, kinds := rgPolicyKinds(rgCase(oracleDefaultSeed, i))
		for j, d := range docs {
			kind := kinds[j]
			if kind == policy.KindTrust {
				// --batch parses the resource policy as a resource policy.
				kind = policy.KindResource
			}
			name := fmt.Sprintf("case%d[%d]", i, j)
			want, err := policy.ParseKind(name, d, kind)
			got, ok := policy.ParseFast(name, d, kind, &sc)
			total++
			if !ok {
				continue
			}
			fast++
			if err != nil {
				t.Fatalf("%s: ParseFast accepted a policy ParseKind rejects (%v):\n%s", name, err, d)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: documents differ:\n got %#v\nwant %#v", name, got, want)
			}
		}
	}
	if fast < total*99/100 {
		t.Errorf("ParseFast parsed %d of %d policies, want 99%%", fast, total)
	}
}

// FuzzDirectMatchesRun is FuzzBatchMatchesRun with policies compiled
// directly: policy.ParseFastPrefix on every policy the decoder meets.
func FuzzDirectMatchesRun(f *testing.F) {
	for _, line := range bytes.Split(bytes.TrimSpace(randomBatchLines(f, 20)), []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"request":{"action":"s3:GetObject"},"identityPolicies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},{"Statement":[]}]}`))
	b := newBatcher(16)
	b.comp.direct.skip = 1 << 40
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\r\n") {
			return
		}
		compareLine(t, b, line, 1)
	})
}
