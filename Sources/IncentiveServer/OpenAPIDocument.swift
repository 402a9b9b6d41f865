/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.yaml`.
/// A test checks that it and the router describe exactly the same routes.
enum OpenAPIDocument {
    static let yaml = """
        openapi: 3.1.0
        info:
          title: incentives API
          version: 0.1.0
        paths: {}

        """
}
