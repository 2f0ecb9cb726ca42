// Package iamcall makes the steps of an awsmfa setup plan (internal/setup)
// through the IAM API with the AWS SDK: setup decides, iamcall calls.
package iamcall

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awserr"
	"github.com/awsmfa/awsmfa/internal/backoff"
	"github.com/awsmfa/awsmfa/internal/setup"
)

// API is the part of the IAM client the steps use (*iam.Client).
type API interface {
	CreatePolicy(context.Context, *iam.CreatePolicyInput, ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
	CreatePolicyVersion(context.Context, *iam.CreatePolicyVersionInput, ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
	DeletePolicyVersion(context.Context, *iam.DeletePolicyVersionInput, ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
	DeletePolicy(context.Context, *iam.DeletePolicyInput, ...func(*iam.Options)) (*iam.DeletePolicyOutput, error)
	CreateGroup(context.Context, *iam.CreateGroupInput, ...func(*iam.Options)) (*iam.CreateGroupOutput, error)
	DeleteGroup(context.Context, *iam.DeleteGroupInput, ...func(*iam.Options)) (*iam.DeleteGroupOutput, error)
	AddUserToGroup(context.Context, *iam.AddUserToGroupInput, ...func(*iam.Options)) (*iam.AddUserToGroupOutput, error)
	RemoveUserFromGroup(context.Context, *iam.RemoveUserFromGroupInput, ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
	AttachGroupPolicy(context.Context, *iam.AttachGroupPolicyInput, ...func(*iam.Options)) (*iam.AttachGroupPolicyOutput, error)
	DetachGroupPolicy(context.Context, *iam.DetachGroupPolicyInput, ...func(*iam.Options)) (*iam.DetachGroupPolicyOutput, error)
	DeleteGroupPolicy(context.Context, *iam.DeleteGroupPolicyInput, ...func(*iam.Options)) (*iam.DeleteGroupPolicyOutput, error)
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	UpdateRole(context.Context, *iam.UpdateRoleInput, ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	AttachRolePolicy(context.Context, *iam.AttachRolePolicyInput, ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(context.Context, *iam.DetachRolePolicyInput, ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	DeleteRolePolicy(context.Context, *iam.DeleteRolePolicyInput, ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	DeleteRole(context.Context, *iam.DeleteRoleInput, ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	AttachUserPolicy(context.Context, *iam.AttachUserPolicyInput, ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
	DetachUserPolicy(context.Context, *iam.DetachUserPolicyInput, ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
}

// Description is the description of the managed policies and roles setup
// creates (IAM keeps a policy's description for its lifetime).
const Description = "Managed by awsmfa setup: change the setup file and apply, not this policy"

// Caller makes plan steps with an IAM client. It implements setup.Caller.
type Caller struct {
	IAM API
	// Propagation bounds how long a step that names something an earlier
	// step created is retried while IAM answers NoSuchEntity (default 20
	// seconds): IAM is eventually consistent, and a policy or group just
	// created may not be visible at once to the next call
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
	Propagation time.Duration
	// Sleep waits between those retries (backoff.Sleep when nil).
	Sleep func(ctx context.Context, d time.Duration) error

	// created holds the entities this Caller created, by kind and name.
	created map[string]bool
}

// DefaultPropagation is Caller.Propagation's default.
const DefaultPropagation = 20 * time.Second

// Call makes one step. An IAM error comes back as an *Error naming the
// call and IAM's error code.
func (c *Caller) Call(ctx context.Context, s setup.Step) error {
	err := c.callWithPropagation(ctx, s)
	if err == nil {
		c.remember(s)
		return nil
	}
	return &Error{Call: s.Call, Err: err}
}

// Error is a failed step's IAM error.
type Error struct {
	Call string
	Err  error
}

func (e *Error) Error() string {
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		return fmt.Sprintf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the IAM error code ("" for errors that are not IAM's).
func (e *Error) Code() string { return awserr.Code(e.Err) }

// callWithPropagation retries a step whose call refers to an entity this
// Caller created while IAM still answers NoSuchEntity, with a doubling
// pause, within Propagation.
func (c *Caller) callWithPropagation(ctx context.Context, s setup.Step) error {
	limit := c.Propagation
	if limit <= 0 {
		limit = DefaultPropagation
	}
	_, err := backoff.Policy{First: 250 * time.Millisecond, Limit: limit, Sleep: c.Sleep}.Retry(ctx, func() (bool, error) {
		err := c.call(ctx, s)
		return c.refersToCreated(s) && awserr.Code(err) == "NoSuchEntity", err
	})
	return err
}

func (c *Caller) remember(s setup.Step) {
	if c.created == nil {
		c.created = map[string]bool{}
	}
	switch s.Call {
	case "CreatePolicy":
		c.created["policy:"+s.PolicyARN] = true
	case "CreateGroup":
		c.created["group:"+s.Group] = true
	case "CreateRole":
		c.created["role:"+s.Role] = true
	}
}

// refersToCreated reports whether the step names a policy, group or role
// this Caller created.
func (c *Caller) refersToCreated(s setup.Step) bool {
	return c.created["policy:"+s.PolicyARN] || c.created["group:"+s.Group] || c.created["role:"+s.Role]
}

// call maps the step to its IAM call (the fields each takes are listed
// on setup.Step).
func (c *Caller) call(ctx context.Context, s setup.Step) error {
	var err error
	switch s.Call {
	case "CreatePolicy":
		_, err = c.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(s.PolicyName), Path: aws.String(s.Path),
			PolicyDocument: aws.String(s.Document), Description: aws.String(Description), Tags: iamTags(s.Tags)})
	case "CreatePolicyVersion":
		_, err = c.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(s.PolicyARN),
			PolicyDocument: aws.String(s.Document), SetAsDefault: true})
	case "DeletePolicyVersion":
		_, err = c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(s.PolicyARN), VersionId: aws.String(s.VersionID)})
	case "DeletePolicy":
		_, err = c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(s.PolicyARN)})
	case "CreateGroup":
		_, err = c.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(s.Group), Path: aws.String(s.Path)})
	case "DeleteGroup":
		_, err = c.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String(s.Group)})
	case "AddUserToGroup":
		_, err = c.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(s.Group), UserName: aws.String(s.User)})
	case "RemoveUserFromGroup":
		_, err = c.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String(s.Group), UserName: aws.String(s.User)})
	case "AttachGroupPolicy":
		_, err = c.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(s.Group), PolicyArn: aws.String(s.PolicyARN)})
	case "DetachGroupPolicy":
		_, err = c.IAM.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(s.Group), PolicyArn: aws.String(s.PolicyARN)})
	case "DeleteGroupPolicy":
		_, err = c.IAM.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String(s.Group), PolicyName: aws.String(s.PolicyName)})
	case "CreateRole":
		in := &iam.CreateRoleInput{RoleName: aws.String(s.Role), Path: aws.String(s.Path), AssumeRolePolicyDocument: aws.String(s.Document),
			Description: aws.String(Description), Tags: iamTags(s.Tags)}
		if s.MaxSessionDuration > 0 {
			in.MaxSessionDuration = aws.Int32(int32(s.MaxSessionDuration))
		}
		_, err = c.IAM.CreateRole(ctx, in)
	case "UpdateAssumeRolePolicy":
		_, err = c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(s.Role), PolicyDocument: aws.String(s.Document)})
	case "UpdateRole":
		_, err = c.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(s.Role), MaxSessionDuration: aws.Int32(int32(s.MaxSessionDuration))})
	case "AttachRolePolicy":
		_, err = c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(s.Role), PolicyArn: aws.String(s.PolicyARN)})
	case "DetachRolePolicy":
		_, err = c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(s.Role), PolicyArn: aws.String(s.PolicyARN)})
	case "DeleteRolePolicy":
		_, err = c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(s.Role), PolicyName: aws.String(s.PolicyName)})
	case "DeleteRole":
		_, err = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(s.Role)})
	case "AttachUserPolicy":
		_, err = c.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(s.User), PolicyArn: aws.String(s.PolicyARN)})
	case "DetachUserPolicy":
		_, err = c.IAM.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(s.User), PolicyArn: aws.String(s.PolicyARN)})
	default:
		err = fmt.Errorf("unknown call %q", s.Call)
	}
	return err
}

// iamTags returns tags sorted by key (a stable request).
func iamTags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
