package lab

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// secondStrings are the renderings of one UTC second every request needs
// (the Date header, aws:CurrentTime, aws:EpochTime), formatted once per
// second instead of once per request.
type secondStrings struct {
	unix    int64
	http    string // http.TimeFormat
	rfc3339 string // time.RFC3339
	epoch   string // decimal seconds
}

var lastSecond atomic.Pointer[secondStrings]

// timeStrings returns the strings of t's second. t must be UTC (the
// lab's clock, Server.now, is); the fraction of a second is dropped, as
// both formats drop it.
func timeStrings(t time.Time) *secondStrings {
	u := t.Unix()
	if p := lastSecond.Load(); p != nil && p.unix == u {
		return p
	}
	t = time.Unix(u, 0).UTC()
	p := &secondStrings{unix: u, http: t.Format(http.TimeFormat), rfc3339: t.Format(time.RFC3339), epoch: strconv.FormatInt(u, 10)}
	lastSecond.Store(p)
	return p
}
