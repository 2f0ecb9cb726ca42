package policysource

import (
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func TestDecodeURLPolicy(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"%7B%22Statement%22%3A%5B%5D%7D", `{"Statement":[]}`, true},
		{"%7b%7d", "{}", true},
		// IAM keeps the document as written, leading white space included.
		{"%0A%20%20%7B%7D%0A", "\n  {}\n", true},
		{"%0d%0a%09%7B%7D", "\r\n\t{}", true},
		{`{"Statement": []}`, `{"Statement": []}`, false},
		{"%41%7B", "%41%7B", false},
		{"%7B%2", "%7B%2", false},
		{"%20", "%20", false},
		// '+' is not a space in RFC 3986.
		{"%7B%22a+b%22%7D", `{"a+b"}`, true},
	}
	for _, tt := range tests {
		got, ok := DecodeURLPolicy(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("DecodeURLPolicy(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseStringPolicy(t *testing.T) {
	data := []byte("{\"PolicyDocument\":\n  \"{\\\"Statement\\\": []}\", \"Encoded\": \"%7B%22Statement%22%3A%20%5B%5D%7D\", \"Bad\": \"{\"}")
	root, err := policy.ParseJSON("f.json", data)
	if err != nil {
		t.Fatal(err)
	}
	doc, text, approx, err := ParseStringPolicy("f.json", data, member(root, "PolicyDocument"))
	if err != nil || approx || text != `{"Statement": []}` || member(doc, "Statement").Pos != (policy.Pos{Line: 2, Column: 20}) {
		t.Errorf("plain: %v %q %v %v", err, text, approx, member(doc, "Statement").Pos)
	}
	enc := member(root, "Encoded")
	doc, text, approx, err = ParseStringPolicy("f.json", data, enc)
	if err != nil || !approx || text != `{"Statement": []}` || member(doc, "Statement").Pos != enc.Pos {
		t.Errorf("URL-encoded: %v %q %v %v", err, text, approx, doc)
	}
	if _, _, _, err := ParseStringPolicy("f.json", data, member(root, "Bad")); err == nil {
		t.Error("invalid JSON in the string")
	}
	if _, _, _, err := ParseStringPolicy("f.json", data, root); err == nil {
		t.Error("not a string node")
	}
}
