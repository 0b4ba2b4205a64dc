"""Administration within a subtree: password resets and client deactivation stop at the admin's scope."""
from tests.registry.helpers import org_id


def test_admin_resets_and_deactivates_only_inside_the_subtree(registry, login):
    province, city = login("shaanxi_admin"), login("weinan_admin")
    prov_user = registry.post("/api/v1/users", headers=province, json={
        "username": "prov_clerk", "display_name": "省办文员", "org_id": org_id("陕西省"), "role": "viewer",
        "password": "Prov#Clerk123"}).json()
    reset = registry.post(f"/api/v1/users/{prov_user['id']}/password", headers=city, json={"new_password": "Other#Pass12"})
    assert reset.status_code == 404
    assert registry.post(f"/api/v1/users/{prov_user['id']}/password", headers=province,
                         json={"new_password": "Other#Pass12"}).status_code == 204
    assert registry.post("/api/v1/auth/token", data={"username": "prov_clerk", "password": "Other#Pass12"}).status_code == 200

    client = registry.post("/api/v1/clients", headers=province, json={
        "client_id": "prov-sync", "name": "省级报送", "org_id": org_id("陕西省"), "role": "integration"}).json()
    token = registry.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": "prov-sync",
                                                      "client_secret": client["client_secret"]}).json()["access_token"]
    assert registry.post(f"/api/v1/clients/{client['id']}/deactivate", headers=city).status_code == 404
    assert registry.post(f"/api/v1/clients/{client['id']}/deactivate", headers=province).json()["is_active"] is False
    assert registry.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert registry.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {token}"},
                         json={"current_password": "x", "new_password": "Whatever#123"}).status_code == 401


def test_people_and_client_roles_do_not_mix(registry, login):
    admin = login("weinan_admin")
    person = registry.post("/api/v1/users", headers=admin, json={
        "username": "robot_person", "display_name": "x", "org_id": org_id("渭南市"), "role": "integration",
        "password": "Robot#Pass123"})
    assert person.status_code == 422 and person.json()["detail"]["code"] == "role_not_for_people"
    machine = registry.post("/api/v1/clients", headers=admin, json={
        "client_id": "machine-admin", "name": "x", "org_id": org_id("渭南市"), "role": "admin"})
    assert machine.status_code == 422


def test_usernames_and_client_ids_are_plain_identifiers(registry, login):
    admin = login("weinan_admin")
    for body in ({"username": "zhang san", "display_name": "张三", "org_id": org_id("渭南市"), "role": "viewer",
                  "password": "Zhang#San1234"},
                 {"username": "../admin", "display_name": "x", "org_id": org_id("渭南市"), "role": "viewer",
                  "password": "Zhang#San1234"}):
        response = registry.post("/api/v1/users", headers=admin, json=body)
        assert response.status_code == 422, response.text
    response = registry.post("/api/v1/clients", headers=admin, json={
        "client_id": "my client", "name": "x", "org_id": org_id("渭南市"), "role": "integration"})
    assert response.status_code == 422
