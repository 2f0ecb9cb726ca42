package lab

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestTimeStrings(t *testing.T) {
	base := time.Date(2026, 12, 7, 19, 59, 59, 0, time.UTC)
	tests := []time.Time{
		base,
		base.Add(999 * time.Millisecond), // same second, cached
		base.Add(time.Second),            // next second
		base.Add(-24 * time.Hour),        // the clock moved back (tests)
		time.Unix(0, 0).UTC(),
		time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC),
	}
	for _, tt := range tests {
		for i := 0; i < 2; i++ {
			got := timeStrings(tt)
			if want := tt.Format(http.TimeFormat); got.http != want {
				t.Errorf("%v: http %q, want %q", tt, got.http, want)
			}
			if want := tt.Format(time.RFC3339); got.rfc3339 != want {
				t.Errorf("%v: rfc3339 %q, want %q", tt, got.rfc3339, want)
			}
			if want := strconv.FormatInt(tt.Unix(), 10); got.epoch != want {
				t.Errorf("%v: epoch %q, want %q", tt, got.epoch, want)
			}
		}
	}
}

func TestSniffService(t *testing.T) {
	tests := []struct{ authz, query, want string }{
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", "", serviceIAM},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/ec2/aws4_request,SignedHeaders=host", "", serviceEC2},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/organizations/aws4_request", "", serviceOrganizations},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/sts/aws4_request", "", serviceSTS},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/s3/aws4_request", "", serviceSTS},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/iam/aws4_request", "", serviceSTS},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/iam/aws4_request/x", "", serviceSTS},
		{"AWS4-HMAC-SHA256 Credential=/", "", serviceSTS},
		{"", "X-Amz-Credential=AKID%2F20261207%2Fus-east-1%2Fiam%2Faws4_request", serviceIAM},
		{"", "", serviceSTS},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/?"+tt.query, nil)
		if tt.authz != "" {
			r.Header.Set("Authorization", tt.authz)
		}
		if got := sniffService(r); got != tt.want {
			t.Errorf("%q %q: %s, want %s", tt.authz, tt.query, got, tt.want)
		}
	}
}
