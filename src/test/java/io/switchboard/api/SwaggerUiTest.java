package io.switchboard.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;

/**
 * Outside prod (dev mode, and the test profile that shares its build) the Swagger UI is served over
 * the same document; OpenApiContractIT checks that a prod build serves the document without it.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class SwaggerUiTest {

    @Test
    void theSwaggerUiShowsTheServerApiDocument() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger-ui"));
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/v1/revocations"))
                .body("components.securitySchemes.serviceToken.scheme", equalTo("bearer"));
    }
}
