package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// getCRL serves the CRL of moudesk's CA (DER, application/pkix-crl) at
// the stable address /ca/crl that every certificate it issues names as
// its CRL distribution point. It is signed afresh on each request (valid
// a week), so `moudesk ca revoke` shows at once. 404 when this moudesk
// signs with an organization's fixed certificate: its CA publishes its
// own CRL.
func (h *signHandlers) getCRL(c *gin.Context) error {
	keys, err := h.desk.Keys()
	if err != nil {
		return err
	}
	der, err := keys.CRL(time.Now())
	if err != nil {
		return err
	}
	if der == nil {
		return moudesk.Errorf(moudesk.KindNotFound, "no_crl", "this moudesk has no CA of its own; its signing certificate's CA publishes the CRL")
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/pkix-crl", der)
	return nil
}
