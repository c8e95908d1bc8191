"""The resource kinds osdesk shows (servers, images, …): the registry pages are built from."""
