package setup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// recorder is a Caller that records calls and fails the one numbered
// failAt (1-based; 0: none).
type recorder struct {
	calls  []string
	failAt int
}

func (r *recorder) Call(_ context.Context, s Step) error {
	r.calls = append(r.calls, s.Call)
	if len(r.calls) == r.failAt {
		return errors.New("LimitExceeded: Cannot exceed quota for PoliciesPerUser: 10")
	}
	return nil
}

func TestApply(t *testing.T) {
	d := desiredExample(t)
	plan, err := MakePlan(d, emptyAccount())
	if err != nil {
		t.Fatal(err)
	}
	add, _, _, _ := plan.Counts()

	rec := &recorder{}
	var seen []int
	res := Apply(context.Background(), plan, rec, func(i, n int, s Step) {
		if n != add {
			t.Errorf("progress n = %d, want %d", n, add)
		}
		seen = append(seen, i)
	})
	if res.Err != nil || res.Error() != "" || len(res.Done) != add || len(rec.calls) != add || len(seen) != add {
		t.Fatalf("full apply: %+v, calls %v", res, rec.calls)
	}
	if rec.calls[0] != "CreatePolicy" || rec.calls[len(rec.calls)-1] != "AttachUserPolicy" {
		t.Errorf("order: %v", rec.calls)
	}

	rec = &recorder{failAt: 3}
	res = Apply(context.Background(), plan, rec, nil)
	if len(res.Done) != 2 || res.Failed == nil || res.Failed.Call != "AddUserToGroup" || len(res.NotDone) != add-3 {
		t.Fatalf("failed apply: done %d, failed %+v, not done %d", len(res.Done), res.Failed, len(res.NotDone))
	}
	msg := res.Error()
	for _, want := range []string{
		"add user alice to group mfa-required (AddUserToGroup) failed: LimitExceeded",
		"done (2):\n  + create managed policy awsmfa-require-mfa-max-age-43200\n  + create group mfa-required\n",
		"not done (6):\n  + add user bob to group mfa-required\n",
		"apply again to finish",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec = &recorder{}
	res = Apply(ctx, plan, rec, nil)
	if len(rec.calls) != 0 || !errors.Is(res.Err, context.Canceled) || len(res.NotDone) != add || !strings.HasPrefix(res.Error(), "stopped: context canceled") {
		t.Errorf("cancelled apply: calls %v, %+v", rec.calls, res)
	}
}

// TestApplyConverges plays apply interrupted after every step: the account
// model is updated with what was done, and a new plan from it holds exactly
// the steps not done.
func TestApplyConverges(t *testing.T) {
	d := desiredExample(t)
	full, err := MakePlan(d, emptyAccount())
	if err != nil {
		t.Fatal(err)
	}
	all := calls(full)
	for k := 0; k <= len(all); k++ {
		a := emptyAccount()
		res := Apply(context.Background(), full, &modelCaller{t: t, a: a, failAt: k + 1}, nil)
		if len(res.Done) != k {
			t.Fatalf("made %d steps, want %d", len(res.Done), k)
		}
		next, err := MakePlan(d, a)
		if err != nil {
			t.Fatalf("after %d steps: %v", k, err)
		}
		if got, want := strings.Join(calls(next), "\n"), strings.Join(all[k:], "\n"); got != want {
			t.Errorf("after %d steps the plan is\n%s\nwant\n%s", k, got, want)
		}
	}
}

// modelCaller makes create steps on an account model (before any lookup
// indexes it) and fails the step numbered failAt, as a process killed
// there would leave the account.
type modelCaller struct {
	t      testing.TB
	a      *account.Account
	n      int
	failAt int
}

func (m *modelCaller) user(name string) *account.User {
	for _, u := range m.a.Users {
		if u.Name == name {
			return u
		}
	}
	m.t.Fatalf("no user %s", name)
	return nil
}

func (m *modelCaller) Call(_ context.Context, s Step) error {
	m.n++
	if m.n == m.failAt {
		return errors.New("killed")
	}
	tags := []account.Tag{{Key: ManagedTag, Value: s.Tags[ManagedTag]}}
	switch s.Call {
	case "CreatePolicy":
		m.a.Policies = append(m.a.Policies, &account.ManagedPolicy{Name: s.PolicyName, ARN: s.PolicyARN, Path: s.Path,
			DefaultVersion: "v1", Versions: []string{"v1"}, Tags: tags, Document: doc(m.t, s.Document, policy.KindIdentity)})
	case "CreateGroup":
		m.a.Groups = append(m.a.Groups, &account.Group{Name: s.Group, Path: s.Path})
	case "AddUserToGroup":
		u := m.user(s.User)
		u.Groups = append(u.Groups, s.Group)
	case "AttachGroupPolicy":
		for _, g := range m.a.Groups {
			if g.Name == s.Group {
				g.Attached = append(g.Attached, s.PolicyARN)
			}
		}
	case "CreateRole":
		m.a.Roles = append(m.a.Roles, &account.Role{Name: s.Role, Path: s.Path, Trust: doc(m.t, s.Document, policy.KindTrust),
			MaxSessionDuration: s.MaxSessionDuration, Tags: tags})
	case "AttachRolePolicy":
		for _, r := range m.a.Roles {
			if r.Name == s.Role {
				r.Attached = append(r.Attached, s.PolicyARN)
			}
		}
	case "AttachUserPolicy":
		u := m.user(s.User)
		u.Attached = append(u.Attached, s.PolicyARN)
	default:
		return fmt.Errorf("model: %s not simulated", s.Call)
	}
	return nil
}
