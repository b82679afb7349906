package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// finishLTV makes a sealed PDF verifiable long after its certificates
// expire (PAdES B-LTA): a DSS with every chain and a CRL from each issuing
// CA, then a document timestamp, appended in the transaction that seals,
// so an executed MOU is never stored without them. Keys without a TSA
// (tests, or an organization that configured none and has no CA of its
// own) leave the seal as it is. A TSA that fails fails the ceremony with
// 503 timestamp_unavailable and nothing recorded.
func finishLTV(ctx context.Context, keys *pdfsign.Keys, sealed []byte, now time.Time) ([]byte, error) {
	if keys == nil || keys.TSA == nil {
		return sealed, nil
	}
	out, err := pdfsign.AddLTV(ctx, sealed, keys.LTVOptions(now))
	if err != nil {
		return nil, fmt.Errorf("long-term validation data: %w", err)
	}
	return out, nil
}
