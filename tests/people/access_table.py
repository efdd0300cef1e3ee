from tests.access import STAFF, Route

ROUTES = [
    Route("people:school_list", STAFF),
    Route("GET /api/people/schools", STAFF),
    Route("GET /api/people/schools/{school_id}", STAFF, kwargs={"school_id": "own"}),
]
