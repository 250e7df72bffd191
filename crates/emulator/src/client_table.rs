//! The engine's clients, kept in id order.
//!
//! A command's client is taken out of the table while it runs (so handlers
//! can borrow the engine and the client separately) and put back after:
//! that happens for every command, so the table is a vector sorted by id
//! where taking leaves a placeholder, instead of a tree that rebalances on
//! every remove and insert.

use crate::client::{Client, ClientId};

#[derive(Debug, Clone, Default)]
pub struct ClientTable {
    slots: Vec<(ClientId, Option<Box<Client>>)>,
    live: usize,
}

impl ClientTable {
    #[cfg(test)]
    fn keys(&self) -> impl Iterator<Item = &ClientId> {
        self.slots.iter().filter_map(|(id, c)| c.as_deref().map(|_| id))
    }

    fn position(&self, id: ClientId) -> Result<usize, usize> {
        self.slots.binary_search_by_key(&id, |(i, _)| *i)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn get(&self, id: &ClientId) -> Option<&Client> {
        self.position(*id).ok().and_then(|p| self.slots[p].1.as_deref())
    }

    pub fn get_mut(&mut self, id: &ClientId) -> Option<&mut Client> {
        self.position(*id).ok().and_then(|p| self.slots[p].1.as_deref_mut())
    }

    /// Takes a client out (its place is kept for a quick return).
    pub fn remove(&mut self, id: &ClientId) -> Option<Box<Client>> {
        let p = self.position(*id).ok()?;
        let taken = self.slots[p].1.take();
        if taken.is_some() {
            self.live -= 1;
        }
        taken
    }

    /// Puts a client (back) in; returns the one it replaced.
    pub fn insert(&mut self, id: ClientId, client: impl Into<Box<Client>>) -> Option<Box<Client>> {
        let client = client.into();
        match self.position(id) {
            Ok(p) => {
                let old = self.slots[p].1.replace(client);
                if old.is_none() {
                    self.live += 1;
                }
                old
            }
            Err(p) => {
                if self.slots.len() > 2 * self.live + 16 {
                    self.slots.retain(|(_, c)| c.is_some());
                    let p = self.position(id).unwrap_err();
                    self.slots.insert(p, (id, Some(client)));
                } else {
                    self.slots.insert(p, (id, Some(client)));
                }
                self.live += 1;
                None
            }
        }
    }

    pub fn values(&self) -> impl Iterator<Item = &Client> {
        self.slots.iter().filter_map(|(_, c)| c.as_deref())
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Client> {
        self.slots.iter_mut().filter_map(|(_, c)| c.as_deref_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: ClientId) -> Client {
        Client::new(id, format!("t:{id}"), 0)
    }

    #[test]
    fn take_and_return_keep_id_order() {
        let mut t = ClientTable::default();
        for id in [1, 2, 3] {
            assert!(t.insert(id, client(id)).is_none());
        }
        let c = t.remove(&2).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t.get(&2).is_none());
        assert_eq!(t.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
        t.insert(2, c);
        assert_eq!(t.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(t.get_mut(&3).map(|c| c.id), Some(3));
    }

    #[test]
    fn disconnected_slots_are_reclaimed() {
        let mut t = ClientTable::default();
        for id in 1..=100 {
            t.insert(id, client(id));
            t.remove(&id);
        }
        t.insert(101, client(101));
        assert!(t.slots.len() < 40, "{}", t.slots.len());
        assert_eq!(t.len(), 1);
    }
}
