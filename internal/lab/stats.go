package lab

import (
	"net/http"
	"sync"
)

// stats counts calls per action.
type stats struct {
	mu sync.Mutex
	m  map[string]int
	// ok counts the successful calls per action; snapshot reports them as
	// "service:Action ok".
	ok map[string]int
}

func (st *stats) init() { st.m, st.ok = make(map[string]int), make(map[string]int) }

func (st *stats) record(rec *Record) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.m["requests"]++
	if rec.Action != "" && rec.Action[len(rec.Action)-1] != ':' {
		st.m[rec.Action]++
		if rec.Status == http.StatusOK {
			st.ok[rec.Action]++
		}
	}
	if rec.Status != http.StatusOK {
		st.m["errors"]++
	}
	if rec.Error == "AccessDenied" || rec.Error == "UnauthorizedOperation" || rec.Error == "AccessDeniedException" {
		st.m["denied"]++
	}
}

func (st *stats) snapshot() map[string]int {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]int, len(st.m)+len(st.ok))
	for k, v := range st.m {
		out[k] = v
	}
	for k, v := range st.ok {
		out[k+" ok"] = v
	}
	return out
}
