package sigv4

import (
	"net/http"
	"testing"
)

// BenchmarkVerify verifies a typical STS GetSessionToken POST as the lab
// server receives it (signed by the AWS SDK for Go v2, parsed by net/http).
func BenchmarkVerify(b *testing.B) {
	req := sdkSigned(b, t0, "", func(r *http.Request) {
		r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/sts#1.52.0")
		r.Header.Set("Amz-Sdk-Invocation-Id", "8a3d5f0e-4f3c-4d6e-9a53-0d3c9d3b8e71")
		r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	})
	server := wireRoundTrip(b, req, stsBody)
	v := rtVerifier(t0)
	if _, err := v.Verify(server, stsBody); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(server, stsBody); err != nil {
			b.Fatal(err)
		}
	}
}
