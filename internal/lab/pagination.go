package lab

import (
	"encoding/base64"
	"strconv"
)

// IAM pagination
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html):
// MaxItems 1..1000 (default 100); when more items remain the answer has
// IsTruncated true and a Marker to pass back. The lab's marker encodes the
// sort key of the next item, so it stays valid when items are added.
const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

type pageInfo struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// paginate selects the page of n items, sorted by key, that the request's
// Marker and MaxItems ask for.
func paginate(p params, n int, key func(i int) string) (start, end int, info pageInfo, err error) {
	max := defaultMaxItems
	if v, ok := p["MaxItems"]; ok {
		m, cerr := strconv.Atoi(v)
		switch {
		case cerr != nil:
			return 0, 0, info, constraintError(v, "maxItems", "must be an integer")
		case m < 1:
			return 0, 0, info, constraintError(v, "maxItems", "must have value greater than or equal to 1")
		case m > maxMaxItems:
			return 0, 0, info, constraintError(v, "maxItems", "must have value less than or equal to 1000")
		}
		max = m
	}
	if v, ok := p["Marker"]; ok {
		raw, derr := base64.RawURLEncoding.DecodeString(v)
		if derr != nil || len(v) == 0 || len(v) > 320 {
			return 0, 0, info, validationError("Invalid Marker.")
		}
		k := string(raw)
		for start < n && key(start) < k {
			start++
		}
	}
	end = start + max
	if end > n {
		end = n
	}
	if end < n {
		info.IsTruncated = true
		info.Marker = base64.RawURLEncoding.EncodeToString([]byte(key(end)))
	}
	return start, end, info, nil
}
