package lab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab/loadgen"
)

// benchRequests signs n requests ahead of time (signing is the client's
// cost, not the server's) and replays them through the handler: SigV4
// verification, caller lookup, policy evaluation and the XML answer.
func benchHandler(b *testing.B, service, body string, c func(*account) creds) {
	st, srv, a := newFuzzServer(b)
	defer st.Close()
	h := srv.Handler()
	sum := sha256.Sum256([]byte(body))
	payload := hex.EncodeToString(sum[:])
	signer := v4.NewSigner()
	cr := c(a)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: cr.id, SecretAccessKey: cr.secret}, req, payload, service, "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	hdr := req.Header
	data := []byte(body)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(data))
			r.Header = hdr
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 200 {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}

func BenchmarkGetCallerIdentity(b *testing.B) {
	benchHandler(b, "sts", gci, func(a *account) creds { return a.bool })
}

func BenchmarkListUsers(b *testing.B) {
	benchHandler(b, "iam", "Action=ListUsers&Version=2010-05-08", func(a *account) creds { return a.bool })
}

func BenchmarkDescribeRegions(b *testing.B) {
	benchHandler(b, "ec2", "Action=DescribeRegions&Version=2016-11-15", func(a *account) creds { return a.bool })
}

// BenchmarkServeListUsers measures the lab over loopback HTTP, as
// `awsmfa lab serve` answers: 32 keep-alive connections replay one signed
// ListUsers request, b.N requests in all (bounded by a minute), so a CPU
// profile shows net/http's share next to the lab's.
func BenchmarkServeListUsers(b *testing.B) {
	st, srv, a := newFuzzServer(b)
	defer st.Close()
	url, err := srv.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	req, err := awsquery.Sign(context.Background(), url, awsquery.ListUsers, aws.Credentials{AccessKeyID: a.bool.id, SecretAccessKey: a.bool.secret}, "us-east-1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	res, err := loadgen.Run(context.Background(), loadgen.Config{Request: req, Concurrency: 32, MaxRequests: b.N, Duration: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	if res.Failures > 0 {
		b.Fatalf("%d of %d requests failed", res.Failures, res.Requests)
	}
	b.ReportMetric(res.RPS, "req/s")
}
