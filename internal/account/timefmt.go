package account

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the ways AWS and the tools around it write a timestamp.
// Go's time.Parse accepts a fractional second after the seconds field even
// when the layout has none, so "2019-12-18T19:10:08.123Z" and
// "2019-12-18 19:10:08.123456+00:00" need no layouts of their own.
var timeLayouts = []string{
	// The IAM API and the AWS documentation: 2019-12-18T19:10:08Z; the
	// AWS CLI v2 and the credential report: 2019-12-18T19:10:08+00:00.
	time.RFC3339,
	// Python's str(datetime), as boto3 results serialised with
	// json.dumps(default=str) (PMapper, ScoutSuite and many scripts):
	// 2019-12-18 19:10:08+00:00.
	"2006-01-02 15:04:05Z07:00",
	// Java and JavaScript tools: 2019-12-18T19:10:08.000+0000.
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z0700",
	// No zone at all: AWS timestamps are UTC.
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

// parseTime reads a timestamp written in any of timeLayouts, returned in
// UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len("2006-01-02T15:04:05") || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseEpoch reads a timestamp written as seconds since 1970 (the JSON
// form of the AWS query protocol and of some SDK dumps: 1576696208 or
// 1.576696208E9).
func parseEpoch(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	// Years 1970 to 9999: anything else is not a timestamp.
	if err != nil || f < 0 || f > 253402300799 || math.IsNaN(f) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}
