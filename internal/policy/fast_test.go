package policy

import (
	"os"
	"reflect"
	"testing"
)

// CheckFast compares ParseFast with ParseKind on data for every kind:
// ParseFast must fail where ParseKind reports an error, and where it
// succeeds its Document must be ParseKind's. It returns how many kinds
// ParseFast parsed. sc is reused, as a batch reuses it.
func checkFast(t testing.TB, data []byte, sc *Scratch) int {
	t.Helper()
	parsed := 0
	for k := KindUnknown; k <= KindSession; k++ {
		want, err := ParseKind("doc.json", data, k)
		got, ok := ParseFast("doc.json", data, k, sc)
		if !ok {
			if got != nil {
				t.Fatalf("kind %v: a document without success for %q", k, data)
			}
			continue
		}
		parsed++
		if err != nil {
			t.Fatalf("kind %v: ParseFast accepted %q, which ParseKind rejects: %v", k, data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("kind %v: documents differ for %q:\n got %#v\nwant %#v", k, data, got, want)
		}
	}
	return parsed
}

func TestParseFastMatches(t *testing.T) {
	var sc Scratch
	for _, file := range fixtureFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checkFast(t, data, &sc)
	}
	tests := []struct {
		doc string
		// fast: ParseFast parses it for at least one kind.
		fast bool
	}{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, true},
		{"{\r\n \"Statement\": [\n\t{\"Sid\": \"A1\", \"Effect\": \"Deny\", \"NotAction\": [\"s3:*\", \"iam:*\"], \"NotResource\": \"arn:aws:s3:::b/*\"}]}\n", true},
		{`{"Id":"x","Statement":[{"Effect":"Allow","Principal":"*","Action":"*"},{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::1:root"],"Service":"s.amazonaws.com"},"Action":"*","Resource":["*"]}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]}`, true},
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":[false,"true",1,-0.5e3]},"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"a*","k2":["x\u0026y","\u00e9"]}}}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]}`, true},
		{`{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`, true}, // duplicate Sids: only resource and unknown
		{`{"Statement":[{"Sid":"a b","Effect":"Allow","Action":"*","Resource":"*"}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"k":[01]}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":True}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":truex}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":null}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"a","k":"b"}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"a"},"Bool":{"j":"b"}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"bool":{"k":"a"}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":[]}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":[[1]]}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}]}`, false},
		{`{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":["*",1],"Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":"x","Action":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{},"Action":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"a","AWS":"b"},"Action":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{"aws":"a"},"Action":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*"}]}`, false},
		{`{"Statement":[{}]}`, false},
		{`{"Statement":[]}`, false},
		{`{"Statement":["x"]}`, false},
		{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, false},
		{`{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, false},
		{`{"Version":1,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, false},
		{`{"Version":"2012-10-17"}`, false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"},}`, false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x`, false},
		{"\uFEFF{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", false},
		{"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"\xff\",\"Resource\":\"*\"}}", false},
		{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"`, false},
		{``, false},
		{`[]`, false},
		{`{}`, false},
	}
	for _, tt := range tests {
		got := checkFast(t, []byte(tt.doc), &sc)
		if (got > 0) != tt.fast {
			t.Errorf("%q: ParseFast parsed %d kinds, want fast=%v", tt.doc, got, tt.fast)
		}
	}
}

// TestParseFastReuse checks that a reused Scratch does not leak the last
// document into the next.
func TestParseFastReuse(t *testing.T) {
	var sc Scratch
	big := []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Principal":{"AWS":["a","b"]},"Action":["s3:a","s3:b"],"Resource":"*","Condition":{"StringEquals":{"k":["1","2"]}}},{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	small := []byte(`{"Statement":{"Effect":"Allow","Action":"x:y","Resource":"r"}}`)
	for i := 0; i < 3; i++ {
		for _, data := range [][]byte{big, small} {
			if checkFast(t, data, &sc) == 0 {
				t.Fatalf("ParseFast did not parse %s", data)
			}
		}
	}
}

func FuzzParseFast(f *testing.F) {
	addSeeds(f)
	var sc Scratch
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data, &sc)
	})
}

// BenchmarkParseFast is BenchmarkParse through ParseFast.
func BenchmarkParseFast(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var sc Scratch
	for b.Loop() {
		if _, ok := ParseFast("typical.json", data, KindIdentity, &sc); !ok {
			b.Fatal("not parsed")
		}
	}
}

// TestParseFastPrefix checks that ParseFastPrefix finds the end of a
// document followed by more input and builds ParseFast's Document.
func TestParseFastPrefix(t *testing.T) {
	var sc, sc2 Scratch
	for _, doc := range []string{
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":["s3:*"],"Resource":"*","Condition":{"Bool":{"k":[true,"}"]}}}]}`,
		"{\"Statement\" :\r\n {\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}\n}",
	} {
		for _, rest := range []string{"", "}", `,"x":[1]}`, " \n,{\"Statement\":1}"} {
			data := []byte(doc + rest)
			got, end, ok := ParseFastPrefix("f", data, KindIdentity, &sc)
			want, wantOK := ParseFast("f", []byte(doc), KindIdentity, &sc2)
			if !ok || !wantOK || end != len(doc) {
				t.Fatalf("%q: end %d, ok %v (ParseFast ok %v); want end %d", data, end, ok, wantOK, len(doc))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: documents differ:\n got %#v\nwant %#v", data, got, want)
			}
		}
	}
	for _, bad := range []string{``, ` {"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `[]`, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}`} {
		if _, _, ok := ParseFastPrefix("f", []byte(bad), KindIdentity, &sc); ok {
			t.Errorf("%q: parsed", bad)
		}
	}
}
