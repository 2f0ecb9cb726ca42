package setuputil

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/setup"
)

// Settings are how Execute shows, asks and refuses.
type Settings struct {
	Output     string
	Yes, Force bool
	// Verb is "apply" or "destroy", for messages.
	Verb string
	// File names the setup file ("" for destroy).
	File string
}

// Execute shows the plan and its safety, refuses a lockout unless forced,
// asks, and makes the changes. setup destroy runs it with its own plan.
func Execute(ctx context.Context, ios *iostreams.IOStreams, s *Session, p *setup.Plan, st Settings) error {
	safety, err := s.Safety(p)
	if err != nil {
		return err
	}
	jsonOut := st.Output == cmdutil.OutputJSON
	if !jsonOut {
		from := ""
		if st.File != "" {
			from = ", setup file " + st.File
		}
		fmt.Fprintf(ios.Out, "Account %s (%s)%s.\n\n", s.Account.ID, s.Source, from)
		_, _ = ios.Out.Write(p.Text())
		if p.Changes() {
			fmt.Fprintln(ios.Out)
			_, _ = ios.Out.Write(safety.Text())
		}
	}
	if !p.Changes() {
		if jsonOut {
			return writeJSON(ios, p, safety, nil)
		}
		return nil
	}
	if safety.Lockout != "" && !st.Force {
		return Failed(fmt.Errorf("refusing to %s: %s (--force applies anyway)", st.Verb, safety.Lockout))
	}
	if !st.Yes {
		add, change, destroy, _ := p.Counts()
		q := fmt.Sprintf("%s %d to add, %d to change, %d to destroy in account %s?", upper(st.Verb), add, change, destroy, s.Account.ID)
		if err := cmdutil.Confirm(ios, q); err != nil {
			return err
		}
	}
	res := setup.Apply(ctx, p, s.StepCaller(), stepProgress(ios, jsonOut))
	if jsonOut {
		if err := writeJSON(ios, p, safety, res); err != nil {
			return err
		}
	}
	if res.Err != nil {
		fmt.Fprint(ios.ErrOut, res.Error())
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError}
	}
	if !jsonOut {
		add, change, destroy := counts(res.Done)
		fmt.Fprintf(ios.Out, "\n%s complete: %d added, %d changed, %d destroyed.\n", upper(st.Verb), add, change, destroy)
	}
	return nil
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func counts(steps []setup.Step) (add, change, destroy int) {
	p := setup.Plan{Steps: steps}
	add, change, destroy, _ = p.Counts()
	return
}

// stepProgress prints each step as it is made, on standard error.
func stepProgress(ios *iostreams.IOStreams, quiet bool) func(i, n int, s setup.Step) {
	return func(i, n int, s setup.Step) {
		if !quiet || ios.IsStderrTTY() {
			fmt.Fprintf(ios.ErrOut, "[%d/%d] %s (%s)\n", i, n, s.Summary, s.Call)
		}
	}
}

// jsonResult is apply's JSON output: the plan, its safety and what was done.
type jsonResult struct {
	Plan    json.RawMessage `json:"plan"`
	Applied *jsonApplied    `json:"applied,omitempty"`
}

type jsonApplied struct {
	Done    []setup.Step `json:"done"`
	Failed  *setup.Step  `json:"failed,omitempty"`
	Error   string       `json:"error,omitempty"`
	NotDone []setup.Step `json:"notDone"`
}

func writeJSON(ios *iostreams.IOStreams, p *setup.Plan, safety *setup.Safety, res *setup.Result) error {
	plan, err := p.JSONWithSafety(safety)
	if err != nil {
		return Failed(err)
	}
	out := jsonResult{Plan: plan}
	if res != nil {
		out.Applied = &jsonApplied{Done: orEmpty(res.Done), Failed: res.Failed, NotDone: orEmpty(res.NotDone)}
		if res.Err != nil {
			out.Applied.Error = res.Err.Error()
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return Failed(err)
	}
	_, _ = ios.Out.Write(append(b, '\n'))
	return nil
}

func orEmpty(s []setup.Step) []setup.Step {
	if s == nil {
		return []setup.Step{}
	}
	return s
}
