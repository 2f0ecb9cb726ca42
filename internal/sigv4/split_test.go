package sigv4

import (
	"strings"
	"testing"
	"time"
)

var authzSamples = []string{
	"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
	"AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=",
	",,, ==== Credential==/=/=/=/= SignedHeaders=host;HOST Signature",
	"", " ", ",", "\t,\t", "a", " a ", "a,,b\t\tc  d",
	"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f",
	"é, ☃\tx",
}

// The field-at-a-time split of the Authorization header yields
// strings.FieldsFunc's fields; splitCredential accepts exactly what
// strings.Split splits into five.
func TestSplitHelpersMatchStrings(t *testing.T) {
	for _, s := range authzSamples {
		checkFields(t, s)
		checkCredential(t, s)
	}
	for _, s := range []string{"a/b/c/d/e", "////", "a/b/c/d/e/", "/a/b/c/d", "a/b/c/d", "", "AKID/20240229/us-east-1/iam/aws4_request"} {
		checkCredential(t, s)
	}
}

func checkFields(t *testing.T, s string) {
	t.Helper()
	want := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' })
	var got []string
	rest := s
	for {
		f, ok := nextAuthField(&rest)
		if !ok {
			break
		}
		got = append(got, f)
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
		t.Errorf("%q: fields %q, strings.FieldsFunc %q", s, got, want)
	}
}

func checkCredential(t *testing.T, s string) {
	t.Helper()
	want := strings.Split(s, "/")
	var got [5]string
	ok := splitCredential(s, &got)
	if ok != (len(want) == 5) || ok && strings.Join(got[:], "/") != strings.Join(want, "/") {
		t.Errorf("%q: %v %q, strings.Split %q", s, ok, got, want)
	}
}

func TestScopeDateOf(t *testing.T) {
	tests := []string{"20240229T235930Z", "20240229T235930.5Z", "Thu, 29 Feb 2024 23:59:30 GMT", "Mon, 01 Jan 0001 00:00:00 GMT"}
	for _, s := range tests {
		at, amz, err := parseAmzDate(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got, want := scopeDateOf(at, amz), at.Format(scopeDateFmt); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
	if got := scopeDateOf(time.Date(12345, 1, 2, 0, 0, 0, 0, time.UTC), "123450102T000000Z"); got != "123450102" {
		t.Errorf("five-digit year: %q", got)
	}
}

func FuzzSplitHelpers(f *testing.F) {
	for _, s := range authzSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFields(t, s)
		checkCredential(t, s)
	})
}
