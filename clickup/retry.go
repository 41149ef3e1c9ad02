package clickup

import (
	"context"
	"errors"
	"fmt"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
)

// do sends c through the service's pacer: it waits for the limiter, and sends again after a 429
// (any method: the server did nothing) and after a 5xx, a reset connection, a truncated answer
// or a timeout (idempotent methods only). A POST that failed unclearly comes back to its caller,
// which must look before it sends again (see postUser).
func (e *apiEndpoint) do(ctx context.Context, c call) (reply, error) {
	idempotent := httpretry.Idempotent(c.method)
	for n := 0; ; n++ {
		if err := e.pace.Wait(ctx); err != nil {
			return reply{}, e.fail(c, err)
		}
		r, err := e.send(ctx, c)
		a := httpretry.Attempt{N: n, Idempotent: idempotent, Status: r.status, Header: r.header}
		var re *requestError
		if errors.As(err, &re) {
			a.Err = re.err
		}
		retry, werr := e.pace.Retry(ctx, a)
		switch {
		case err == nil:
			return r, nil
		case werr != nil:
			return reply{}, e.fail(c, fmt.Errorf("%w while waiting to retry after: %w", werr, err))
		case !retry && n > 0:
			return reply{}, fmt.Errorf("%w (gave up after %d attempts)", err, n+1)
		case !retry:
			return reply{}, err
		}
	}
}

// unclear reports a failure after which the server may have applied the request: no answer, a
// truncated one, or a 5xx.
func unclear(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return httpretry.RetryableStatus(ae.Status)
	}
	var re *requestError
	return errors.As(err, &re) && httpretry.RetryableError(re.err)
}
