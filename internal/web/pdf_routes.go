package web

// pdfRoutes registers the PDF downloads: revisions, redlines, packets.
func (s *Server) pdfRoutes() {}
