package live

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsmfa/awsmfa/internal/account"
)

// readPolicyTags lists the tags of every customer managed policy
// (iam:ListPolicyTags), at most Options.Concurrency at a time:
// GetAccountAuthorizationDetails returns the tags of users and roles but
// not of policies
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html),
// and awsmfa setup tells the policies it manages by their tag. A caller
// that asked for them needs them, so a refusal fails the read.
func (r *reader) readPolicyTags(ctx context.Context, a *account.Account) error {
	var local []*account.ManagedPolicy
	for _, p := range a.Policies {
		if !p.AWSManaged() {
			local = append(local, p)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]account.Tag, len(local))
	sem := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
launch:
	for i, p := range local {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		wg.Add(1)
		go func(i int, arn string) {
			defer wg.Done()
			defer func() { <-sem }()
			tags, err := r.listPolicyTags(ctx, arn)
			if err != nil {
				once.Do(func() {
					firstErr = fmt.Errorf("ListPolicyTags %s: %w", arn, err)
					cancel()
				})
				return
			}
			results[i] = tags
		}(i, p.ARN)
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return fmt.Errorf("reading the tags of the customer managed policies: %w", firstErr)
	}
	for i, p := range local {
		p.Tags = results[i]
	}
	return nil
}

// listPolicyTags returns one policy's tags, every page.
func (r *reader) listPolicyTags(ctx context.Context, arn string) ([]account.Tag, error) {
	var out []account.Tag
	in := &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)}
	for pages := 0; ; pages++ {
		page, err := r.iam.ListPolicyTags(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, tags(page.Tags)...)
		if !page.IsTruncated || page.Marker == nil || pages >= maxTagPages {
			return out, nil
		}
		in.Marker = page.Marker
	}
}

// maxTagPages bounds a policy's tag listing: IAM allows 50 tags per
// resource, one page of the default 100.
const maxTagPages = 10
