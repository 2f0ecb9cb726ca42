package awsconfig

import (
	"regexp"
	"strings"
	"testing"
)

// The expressions the hand-written matchers replace, kept here as their
// specification.
var matcherSpecs = []struct {
	name  string
	re    *regexp.Regexp
	match func(string) bool
}{
	{"role ARN", regexp.MustCompile(`^arn:` + partition + `:iam::(\d{12}):role/((?:[!-.0-~]+/)*)([\w+=,.@-]{1,64})$`),
		func(s string) bool { return isIAMARN(s, "role", 64) }},
	{"MFA device ARN", regexp.MustCompile(`^arn:` + partition + `:iam::(\d{12}):mfa/((?:[!-.0-~]+/)*)([\w+=,.@-]{1,226})$`),
		func(s string) bool { return isIAMARN(s, "mfa", 226) }},
	{"serial number", regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`), isSerialNumber},
	{"session name", regexp.MustCompile(`^[\w+=,.@-]{2,64}$`), isSessionName},
	// RE2 counts to 1000 at most: the length is the matcher's own check.
	{"external ID", regexp.MustCompile(`^[\w+=,.@:/-]+$`), func(s string) bool {
		return isExternalID(s) || len(s) > 0 && (len(s) < 2 || len(s) > 1224) && allIn(s, func(c byte) bool { return isNameByte(c) || c == '/' || c == ':' })
	}},
	{"region", regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`), isRegionName},
}

var matcherSeeds = []string{
	"", "arn:", "arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/a/b/c",
	"arn:aws:iam::123456789012:role//x", "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/x/",
	"arn:aws-us-gov:iam::123456789012:role/x", "arn:aws-:iam::123456789012:role/x", "arn:aws-iso-b:iam::123456789012:mfa/bob",
	"arn:aws-ISO:iam::123456789012:mfa/bob", "arn:awsx:iam::123456789012:mfa/bob", "arn:aws:iam::12345678901:mfa/bob",
	"arn:aws:iam::1234567890123:mfa/bob", "arn:aws:iam::123456789012:mfa/bob smith", "arn:aws:iam::123456789012:mfa/p~a!th/bob",
	"arn:aws:iam::123456789012:mfa/" + strings.Repeat("a", 226), "arn:aws:iam::123456789012:mfa/" + strings.Repeat("a", 227),
	"arn:aws:iam::123456789012:role/" + strings.Repeat("r", 64), "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65),
	"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:roles/x", "arn:aws:iam::123456789012:mfa",
	"arn:aws:sts::123456789012:mfa/bob", "arn:aws:iam::123456789012:mfa/bob\n", "arn:aws:iam::123456789012:mfa/bö",
	"GAHT12345678", "GAHT1234", "a:b/c=d,e.f@g-h_i+j", strings.Repeat("9", 256), strings.Repeat("9", 257),
	"ab", "a", strings.Repeat("s", 64), strings.Repeat("s", 65), "bob smith", "x/y:z",
	"us-east-1", "us--east-1", "-us", "us-", "US-east-1", "fake-region-10", "cn-north-1", "eu_west_1",
	strings.Repeat("e", 1224), strings.Repeat("e", 1225),
}

func TestMatchersAgreeWithTheirExpressions(t *testing.T) {
	for _, spec := range matcherSpecs {
		for _, s := range matcherSeeds {
			if got, want := spec.match(s), spec.re.MatchString(s); got != want {
				t.Errorf("%s %q: matcher %v, expression %v", spec.name, s, got, want)
			}
		}
	}
}

func FuzzMatchersAgreeWithTheirExpressions(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, spec := range matcherSpecs {
			if got, want := spec.match(s), spec.re.MatchString(s); got != want {
				t.Errorf("%s %q: matcher %v, expression %v", spec.name, s, got, want)
			}
		}
	})
}

func TestExternalIDLength(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want bool
	}{{0, false}, {1, false}, {2, true}, {1224, true}, {1225, false}} {
		if got := isExternalID(strings.Repeat("e", tc.n)); got != tc.want {
			t.Errorf("isExternalID(%d characters) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
