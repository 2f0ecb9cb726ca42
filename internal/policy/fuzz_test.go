package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	for _, file := range fixtureFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		``, `{}`, `[]`, `"x"`, `-0.5e+3`, `{"a":[1,true,null,"\u00e9\ud83d\ude00"]}`, "\uFEFF{}",
		`{"a":1,}`, `[1,]`, `// c`, `NaN`, `"\x"`, "\"\xff\"", `[[[[[[`, `{"Statement":{}}`,
		`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"k":[true,"false",1]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["a"],"Service":"s"},"Action":"*","Condition":{}}]}`,
	} {
		f.Add([]byte(s))
	}
}

// toAny converts a Node tree to the value encoding/json decodes (with
// UseNumber). Duplicate keys keep the last value, as encoding/json does.
func toAny(n *Node) any {
	switch n.Kind {
	case NodeObject:
		m := make(map[string]any, len(n.Members))
		for _, mem := range n.Members {
			m[mem.Key] = toAny(mem.Value)
		}
		return m
	case NodeArray:
		a := make([]any, len(n.Items))
		for i, it := range n.Items {
			a[i] = toAny(it)
		}
		return a
	case NodeString:
		return n.Str
	case NodeNumber:
		return json.Number(n.Str)
	case NodeBool:
		return n.Str == "true"
	}
	return nil
}

func checkErrorShape(t *testing.T, err error) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
	}
	for _, e := range list {
		if e.Pos.Line < 0 || e.Pos.Column < 0 || (e.Pos.Line > 0 && e.Pos.Column < 1) || e.Msg == "" {
			t.Fatalf("malformed error %#v", e)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseJSON("fuzz.json", data)
		body := bytes.TrimPrefix(data, []byte("\uFEFF"))
		valid := json.Valid(body)
		if err != nil {
			if n != nil {
				t.Fatal("node returned with error")
			}
			checkErrorShape(t, err)
			if valid {
				// encoding/json accepts invalid UTF-8 inside strings and
				// nests up to 10000 levels; we do neither.
				if !utf8.Valid(body) || strings.Contains(err.Error(), "nesting deeper") {
					return
				}
				t.Fatalf("rejected valid JSON %q: %v", data, err)
			}
			return
		}
		if !valid {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json cannot decode %q: %v", data, err)
		}
		if got := toAny(n); !reflect.DeepEqual(got, want) {
			t.Fatalf("tree differs from encoding/json for %q:\n got %#v\nwant %#v", data, got, want)
		}
	})
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := KindUnknown; k <= KindSession; k++ {
			d, err := ParseKind("fuzz.json", data, k)
			if err != nil {
				checkErrorShape(t, err)
				continue
			}
			if d == nil {
				t.Fatal("nil document without error")
			}
			if k == KindUnknown {
				checkRoundTrip(t, "fuzz.json", d)
			}
		}
	})
}
