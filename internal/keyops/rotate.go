package keyops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/awserr"
	"github.com/awsmfa/awsmfa/internal/backoff"
	"github.com/awsmfa/awsmfa/internal/keystore"
)

// IAM is the part of the IAM client a rotation uses (*iam.Client), called
// with the profile's MFA session: deny-unless-MFA policies such as seed
// 004's deny key management to the long-term keys alone.
type IAM interface {
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
}

// Rotator replaces a stored profile's access key with a new one.
type Rotator struct {
	Store keystore.Store
	IAM   IAM
	// User is the IAM user whose key it is.
	User string
	// Works checks that a key signs requests (sts:GetCallerIdentity with
	// it, which no policy can deny).
	Works func(ctx context.Context, accessKeyID, secret string) error
	// KeepOld deactivates the old key instead of deleting it.
	KeepOld bool
	// Propagation bounds the wait for a new key to work (IAM is
	// eventually consistent; default 2 minutes).
	Propagation time.Duration
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	// Log receives one line per step (stderr).
	Log io.Writer
	// Switched, when set, is told that the profile's key changed from old
	// to new (also when a resumed rotation finds it changed), before the
	// old key is retired: the command moves the cached MFA session.
	Switched func(oldAccessKeyID, newAccessKeyID string)
}

// RotateResult says what Rotate did.
type RotateResult struct {
	Profile        string `json:"profile"`
	User           string `json:"user"`
	OldAccessKeyID string `json:"oldAccessKeyId"`
	NewAccessKeyID string `json:"newAccessKeyId"`
	// OldKey is "deleted" or "deactivated".
	OldKey string `json:"oldKey"`
	// Resumed: an interrupted rotation was finished.
	Resumed bool `json:"resumed"`
}

// A key that an interrupted rotation created but never recorded is
// recognised, when the rotation is resumed, by its creation time: between
// clockSkew before the recorded start (IAM's clock against ours) and
// createWindow after it (CreateAccessKey follows the start within
// seconds). A fresh rotation never deletes a key it did not create.
const (
	clockSkew    = time.Minute
	createWindow = 5 * time.Minute
)

// ErrTwoKeys: the user already has two access keys, IAM's limit.
var ErrTwoKeys = errors.New("the user already has two access keys")

// Rotate runs (or resumes) the rotation of profile's key:
//
//  1. record the start in the store;
//  2. CreateAccessKey, after deleting a key that an interrupted rotation
//     created but never recorded (created after the recorded start, and
//     not the stored key); with a second key of any other origin it
//     refuses (IAM allows two) and says which to delete;
//  3. record the new key in the store;
//  4. wait until the new key works, then make it the profile's key,
//     remembering the old one;
//  5. delete the old key (or deactivate it with KeepOld), then clear the
//     rotation.
//
// Each step is recorded before the next starts, so a kill at any moment
// leaves a state the next Rotate finishes from.
func (r *Rotator) Rotate(ctx context.Context, profile string) (*RotateResult, error) {
	e, err := r.Store.Get(profile)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("profile %s has no key in the key store: import it first (awsmfa keys import %s)", profile, profile)
	}
	if err := r.checkShared(profile, e.AccessKeyID); err != nil {
		return nil, err
	}
	res := &RotateResult{Profile: profile, User: r.User, OldAccessKeyID: e.AccessKeyID, Resumed: e.Rotation != nil}
	if e.Rotation == nil {
		e.Rotation = &keystore.Rotation{Started: r.now()}
		if err := r.Store.Put(e); err != nil {
			return nil, err
		}
		r.logf("rotating access key %s of user %s (profile %s)", e.AccessKeyID, r.User, profile)
	} else {
		r.logf("resuming the rotation of profile %s started %s", profile, e.Rotation.Started.Format(time.RFC3339))
	}
	if e.Rotation.NewAccessKeyID == "" && e.Rotation.OldAccessKeyID == "" {
		if err := r.create(ctx, e, res.Resumed); err != nil {
			return nil, err
		}
	}
	if e.Rotation.NewAccessKeyID != "" {
		res.OldAccessKeyID = e.AccessKeyID
		if err := r.switchTo(ctx, e); err != nil {
			return nil, err
		}
	}
	res.OldAccessKeyID = e.Rotation.OldAccessKeyID
	res.NewAccessKeyID = e.AccessKeyID
	if r.Switched != nil && res.OldAccessKeyID != "" {
		r.Switched(res.OldAccessKeyID, res.NewAccessKeyID)
	}
	if err := r.retire(ctx, e); err != nil {
		return nil, err
	}
	res.OldKey = "deleted"
	if r.KeepOld {
		res.OldKey = "deactivated"
	}
	return res, nil
}

// checkShared refuses to rotate a key that other profiles of the store
// hold too: deleting it would break them.
func (r *Rotator) checkShared(profile, id string) error {
	all, err := r.Store.List()
	if err != nil {
		return err
	}
	var others []string
	for _, s := range all {
		if s.Profile != profile && s.AccessKeyID == id {
			others = append(others, s.Profile)
		}
	}
	if len(others) > 0 {
		return fmt.Errorf("access key %s of profile %s is also the key of profile(s) %s in the key store: rotating it would leave them with a deleted key; keep one profile with the key (awsmfa keys remove the others, and point them at it with source_profile), then rotate", id, profile, strings.Join(others, ", "))
	}
	return nil
}

// create makes the new key and records it. resumed: a rotation recorded
// by an earlier run, which may have created a key before it stopped.
func (r *Rotator) create(ctx context.Context, e *keystore.Entry, resumed bool) error {
	out, err := r.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(r.User)})
	if err != nil {
		err = fmt.Errorf("ListAccessKeys %s: %w", r.User, err)
		if awserr.Code(err) != "" {
			return r.abort(e, err) // refused: nothing changed
		}
		return err
	}
	var others []types.AccessKeyMetadata
	for _, k := range out.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) != e.AccessKeyID {
			others = append(others, k)
		}
	}
	for _, k := range others {
		id := aws.ToString(k.AccessKeyId)
		created := aws.ToTime(k.CreateDate)
		if !resumed || !createdBy(e.Rotation, created) {
			return r.abort(e, fmt.Errorf("%w (%s and %s): delete the one you no longer use (aws iam delete-access-key --user-name %s --access-key-id ID), then rotate again", ErrTwoKeys, e.AccessKeyID, id, r.User))
		}
		r.logf("deleting access key %s, created by an interrupted rotation before its secret was stored", id)
		if _, err := r.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(r.User), AccessKeyId: aws.String(id)}); err != nil && awserr.Code(err) != "NoSuchEntity" {
			return fmt.Errorf("DeleteAccessKey %s: %w", id, err)
		}
	}
	created, err := r.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(r.User)})
	if err != nil {
		switch code := awserr.Code(err); {
		case code == "LimitExceeded":
			return r.abort(e, fmt.Errorf("%w: CreateAccessKey: %v", ErrTwoKeys, err))
		case code != "":
			// IAM refused: nothing was created, the rotation ends here.
			return r.abort(e, fmt.Errorf("CreateAccessKey %s: %w", r.User, err))
		}
		// No answer: the key may exist; the next rotate finds it.
		return fmt.Errorf("CreateAccessKey %s: %w", r.User, err)
	}
	k := created.AccessKey
	e.Rotation.NewAccessKeyID, e.Rotation.NewSecretAccessKey = aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)
	if err := r.Store.Put(e); err != nil {
		return fmt.Errorf("storing the new key %s (it exists in IAM; the next rotate deletes it and starts again): %w", e.Rotation.NewAccessKeyID, err)
	}
	r.logf("created access key %s", e.Rotation.NewAccessKeyID)
	return nil
}

// createdBy reports whether a key created at created may be one that
// rotation made before it could record it (see clockSkew).
func createdBy(rot *keystore.Rotation, created time.Time) bool {
	return !created.Before(rot.Started.Add(-clockSkew)) && created.Before(rot.Started.Add(createWindow))
}

// AbortResult says what Abort did.
type AbortResult struct {
	Profile string `json:"profile"`
	User    string `json:"user"`
	// AccessKeyID is the profile's key after the abort.
	AccessKeyID string `json:"accessKeyId"`
	// Deleted lists the keys the rotation had created that Abort deleted
	// (or found already deleted).
	Deleted []string `json:"deleted"`
	// Left is the old key of a rotation that had already switched to the
	// new one: Abort does not touch it (it may still be in IAM).
	Left string `json:"left,omitempty"`
}

// Abort ends profile's unfinished rotation without finishing it, for a
// rotation that cannot go on (say, its new key was deleted in IAM by
// someone else, or the user's policy no longer lets it create keys):
//
//   - before the new key was recorded: a key created within the
//     rotation's creation window (an answer lost) is deleted;
//   - new key recorded, not yet the profile's: the new key is deleted
//     (already gone is fine) and the profile keeps its key;
//   - new key already the profile's: nothing is undone (the old secret
//     is no longer stored); the old key, if still in IAM, is not
//     touched, and is named in Left.
//
// The rotation record is cleared only when nothing the rotation created
// is left behind but the profile's key.
func (r *Rotator) Abort(ctx context.Context, profile string) (*AbortResult, error) {
	e, err := r.Store.Get(profile)
	if err != nil {
		return nil, err
	}
	if e == nil || e.Rotation == nil {
		return nil, fmt.Errorf("profile %s has no unfinished rotation to abort", profile)
	}
	rot := e.Rotation
	res := &AbortResult{Profile: profile, User: r.User, Deleted: []string{}}
	switch {
	case rot.OldAccessKeyID != "":
		res.Left = rot.OldAccessKeyID
		r.logf("the rotation had already switched profile %s to access key %s; the old key %s is not touched (if it is still in IAM, aws iam delete-access-key --user-name %s --access-key-id %s deletes it)", profile, e.AccessKeyID, rot.OldAccessKeyID, r.User, rot.OldAccessKeyID)
	case rot.NewAccessKeyID != "":
		if err := r.deleteKey(ctx, rot.NewAccessKeyID); err != nil {
			return nil, err
		}
		res.Deleted = append(res.Deleted, rot.NewAccessKeyID)
	default:
		out, err := r.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(r.User)})
		if err != nil {
			return nil, fmt.Errorf("ListAccessKeys %s (to find a key the rotation may have created): %w", r.User, err)
		}
		for _, k := range out.AccessKeyMetadata {
			id := aws.ToString(k.AccessKeyId)
			if id == e.AccessKeyID || !createdBy(rot, aws.ToTime(k.CreateDate)) {
				continue
			}
			if err := r.deleteKey(ctx, id); err != nil {
				return nil, err
			}
			res.Deleted = append(res.Deleted, id)
		}
	}
	e.Rotation = nil
	if err := r.Store.Put(e); err != nil {
		return nil, err
	}
	res.AccessKeyID = e.AccessKeyID
	r.logf("the rotation of profile %s is aborted; its access key is %s", profile, e.AccessKeyID)
	return res, nil
}

// deleteKey deletes a key the rotation created; one already deleted is
// fine.
func (r *Rotator) deleteKey(ctx context.Context, id string) error {
	_, err := r.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(r.User), AccessKeyId: aws.String(id)})
	switch {
	case err == nil:
		r.logf("deleted access key %s, created by the rotation", id)
	case awserr.Code(err) == "NoSuchEntity":
		r.logf("access key %s, created by the rotation, is already deleted", id)
	default:
		return fmt.Errorf("DeleteAccessKey %s (the rotation is kept; run abort again): %w", id, err)
	}
	return nil
}

// abort clears a rotation that could not start.
func (r *Rotator) abort(e *keystore.Entry, cause error) error {
	e.Rotation = nil
	if err := r.Store.Put(e); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// switchTo waits for the new key to work and makes it the profile's key.
func (r *Rotator) switchTo(ctx context.Context, e *keystore.Entry) error {
	rot := e.Rotation
	if err := r.waitWorks(ctx, rot.NewAccessKeyID, rot.NewSecretAccessKey); err != nil {
		return err
	}
	rot.OldAccessKeyID = e.AccessKeyID
	e.AccessKeyID, e.SecretAccessKey = rot.NewAccessKeyID, rot.NewSecretAccessKey
	rot.NewAccessKeyID, rot.NewSecretAccessKey = "", ""
	e.Rotated = r.now()
	if err := r.Store.Put(e); err != nil {
		return fmt.Errorf("storing the new key as the profile's key: %w", err)
	}
	r.logf("access key %s works and is now the profile's key", e.AccessKeyID)
	return nil
}

// waitWorks retries the check with a doubling pause, within Propagation.
func (r *Rotator) waitWorks(ctx context.Context, id, secret string) error {
	limit := r.Propagation
	if limit <= 0 {
		limit = 2 * time.Minute
	}
	var checkErr error
	waited, err := backoff.Policy{First: 500 * time.Millisecond, Max: 8 * time.Second, Limit: limit, Sleep: r.Sleep}.Retry(ctx, func() (bool, error) {
		checkErr = r.Works(ctx, id, secret)
		return true, checkErr
	})
	if err != nil && err == checkErr {
		return fmt.Errorf("the new access key %s does not work after %s (%v): run rotate again to keep waiting, or rotate --abort to give it up", id, waited, err)
	}
	return err
}

// retire deletes (or deactivates) the old key and clears the rotation.
func (r *Rotator) retire(ctx context.Context, e *keystore.Entry) error {
	old := e.Rotation.OldAccessKeyID
	if old != "" {
		var err error
		if r.KeepOld {
			_, err = r.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(r.User), AccessKeyId: aws.String(old), Status: types.StatusTypeInactive})
		} else {
			_, err = r.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(r.User), AccessKeyId: aws.String(old)})
		}
		if err != nil && awserr.Code(err) != "NoSuchEntity" {
			return fmt.Errorf("retiring the old key %s (the new one is in place; run rotate again to retry): %w", old, err)
		}
		if r.KeepOld {
			r.logf("deactivated the old access key %s", old)
		} else {
			r.logf("deleted the old access key %s", old)
		}
	}
	e.Rotation = nil
	return r.Store.Put(e)
}

func (r *Rotator) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Rotator) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}
