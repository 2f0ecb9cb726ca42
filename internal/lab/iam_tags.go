package lab

import (
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Tags of users, roles, customer managed policies and virtual MFA devices:
// given at creation (Tags.member.N.Key / .Value), returned by Create*,
// GetUser, GetRole, GetPolicy and the List*Tags actions, and exposed to
// policies as aws:RequestTag/KEY and aws:TagKeys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html).

type tagXML struct {
	Key   string
	Value string
}

// tagsXML is nil (no Tags element) for no tags.
func tagsXML(tags []store.Tag) list[tagXML] {
	if len(tags) == 0 {
		return nil
	}
	out := make(list[tagXML], len(tags))
	for i, t := range tags {
		out[i] = tagXML(t)
	}
	return out
}

const tagsPrefix = "Tags.member."

// tagsParam reads the Tags parameter. Members are numbered from 1 without
// gaps: a member whose Key or Value is missing, including one skipped by a
// higher number, is a ValidationError, never dropped.
func tagsParam(p params) ([]store.Tag, error) {
	n := 0
	for k := range p {
		rest, ok := strings.CutPrefix(k, tagsPrefix)
		if !ok {
			continue
		}
		num, field, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || strconv.Itoa(i) != num || (field != "Key" && field != "Value") {
			return nil, validationError("Invalid tag parameter " + strconv.Quote(truncate(k, 64)) + ": tags are Tags.member.N.Key and Tags.member.N.Value, N from 1")
		}
		n = max(n, i)
	}
	if n == 0 {
		return nil, nil
	}
	if n > store.MaxTags {
		// The list would fail its length check anyway; do not build it.
		return nil, store.CheckTags(make([]store.Tag, store.MaxTags+1))
	}
	tags := make([]store.Tag, n)
	for i := range tags {
		base := tagsPrefix + strconv.Itoa(i+1) + "."
		k, kok := p[base+"Key"]
		v, vok := p[base+"Value"]
		switch {
		case !kok:
			return nil, missingError("tags." + strconv.Itoa(i+1) + ".member.key")
		case !vok:
			return nil, missingError("tags." + strconv.Itoa(i+1) + ".member.value")
		}
		tags[i] = store.Tag{Key: k, Value: v}
	}
	return tags, store.CheckTags(tags)
}

type listTagsResult struct {
	Tags list[tagXML]
	pageInfo
}

// listTags answers a List*Tags action with a page of tags.
func listTags(rq *request, tags []store.Tag, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(tags), func(i int) string { return strconv.Itoa(100000 + i) })
	if err != nil {
		return nil, err
	}
	out := listTagsResult{Tags: list[tagXML]{}, pageInfo: info}
	for _, t := range tags[start:end] {
		out.Tags = append(out.Tags, tagXML(t))
	}
	return out, nil
}

func (s *Server) listUserTags(rq *request) (any, error) {
	tags, err := s.st.UserTags(rq.params.get("UserName"))
	return listTags(rq, tags, err)
}

func (s *Server) listRoleTags(rq *request) (any, error) {
	tags, err := s.st.RoleTags(rq.params.get("RoleName"))
	return listTags(rq, tags, err)
}

func (s *Server) listPolicyTags(rq *request) (any, error) {
	tags, err := s.st.PolicyTags(rq.params.get("PolicyArn"))
	return listTags(rq, tags, err)
}

func (s *Server) listMFADeviceTags(rq *request) (any, error) {
	tags, err := s.st.MFADeviceTags(rq.params.get("SerialNumber"))
	return listTags(rq, tags, err)
}
