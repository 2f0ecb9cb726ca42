// Package cmdtest sets up the credential commands for tests: a
// brokerutil.Factory on a brokertest lab, with captured streams, a fake MFA
// source and an in-memory cache.
package cmdtest

import (
	"context"
	"testing"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// Env is a command environment on a lab.
type Env struct {
	Lab     *brokertest.Lab
	MFA     *brokertest.FakeMFA
	Cache   *brokertest.MemCache
	IO      *iostreams.IOStreams
	Out     *brokertest.SyncBuffer
	Err     *brokertest.SyncBuffer
	Factory *brokerutil.Factory
	// MFAOptions are the options the commands built their MFA source
	// with (the fake answers regardless).
	MFAOptions []mfa.Options
}

// New starts a lab and a factory on it; vars are added to the lab's
// environment.
func New(t testing.TB, lifetimes lab.Lifetimes, vars map[string]string) *Env {
	t.Helper()
	l := brokertest.StartLab(t, lifetimes)
	return OnLab(l, vars)
}

// OnLab is New on an existing lab (a fresh cache and streams).
func OnLab(l *brokertest.Lab, vars map[string]string) *Env {
	ios, _, _, _ := iostreams.Test()
	out, errOut := &brokertest.SyncBuffer{}, &brokertest.SyncBuffer{}
	ios.Out, ios.ErrOut = out, errOut
	m := l.Env()
	for k, v := range vars {
		m[k] = v
	}
	awsEnv := awsconfig.MapEnv(m, "linux")
	e := &Env{Lab: l, MFA: l.MFA(), Cache: brokertest.NewMemCache(), IO: ios, Out: out, Err: errOut}
	e.Factory = &brokerutil.Factory{IO: ios, Env: &awsEnv, Cache: e.Cache, Now: l.Clock.Now,
		NewMFA: func(o mfa.Options) mfa.Source {
			e.MFAOptions = append(e.MFAOptions, o)
			return e.MFA
		},
		Foreground: func() bool { return false }}
	return e
}

// Fill gets credentials for the profiles through a broker, so that the
// cache holds them (for the status and clear tests).
func (e *Env) Fill(t testing.TB, profiles ...string) {
	t.Helper()
	cfg, err := e.Factory.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Factory.Broker(cfg, nil, brokerutil.Flags{}, brokerutil.PromptInteractive)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if _, err := b.Get(context.Background(), p, broker.GetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
