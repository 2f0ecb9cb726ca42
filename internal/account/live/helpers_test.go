package live

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// testLab is an in-process lab on loopback seeded with the default
// scenario.
type testLab struct {
	url     string
	st      *store.Store
	srv     *lab.Server
	applied *scenario.Applied
	// transport is the clients' (config): its idle connections are
	// closed before the lab, whose graceful shutdown would otherwise wait
	// five seconds for a connection the client dialled and never used.
	transport *http.Transport
}

func startLab(t testing.TB) *testLab {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := scenario.Load(scenario.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	return serveLab(t, st, applied)
}

func serveLab(t testing.TB, st *store.Store, applied *scenario.Applied) *testLab {
	t.Helper()
	srv, err := lab.New(lab.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &testLab{url: url, st: st, srv: srv, applied: applied, transport: tr}
}

// keys returns a scenario user's first access key.
func (l *testLab) keys(t testing.TB, user string) (id, secret string) {
	t.Helper()
	u, ok := l.applied.User(user)
	if !ok || len(u.AccessKeys) == 0 {
		t.Fatalf("no access key for %s", user)
	}
	return u.AccessKeys[0].ID, u.AccessKeys[0].Secret
}

// newKeyUser creates a user with an access key and the inline policy (none
// when "").
func (l *testLab) newKeyUser(t testing.TB, name, doc string) (id, secret string) {
	t.Helper()
	if _, err := l.st.CreateUser(name, ""); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if err := l.st.PutUserPolicy(name, "P", doc); err != nil {
			t.Fatal(err)
		}
	}
	k, err := l.st.CreateAccessKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID, k.Secret
}

// config is an AWS configuration with the keys pointing at the lab.
func (l *testLab) config(id, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		BaseEndpoint: aws.String(l.url),
		HTTPClient:   &http.Client{Transport: l.transport},
	}
}

// fastReport polls the lab's report without waiting long.
func fastReport(o Options) Options {
	o.ReportPoll = 10 * time.Millisecond
	return o
}

func storeTag(k, v string) store.Tag { return store.Tag{Key: k, Value: v} }
